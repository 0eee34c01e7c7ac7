import { lte } from "drizzle-orm";
import { getDb, type Queryable } from "@/db";
import { sessions, verificationTokens } from "@/db/schema";

/**
 * Deletes sessions past their expiry and sign-in links past theirs: neither can sign anyone in any
 * more, and both say who signed in when. For the hourly scheduled work; by the app's clock, which
 * set their expiries.
 */
export async function deleteExpiredSignIns(db: Queryable = getDb(), now: Date = new Date()): Promise<{ sessions: number; signInLinks: number }> {
  const ended = await db.delete(sessions).where(lte(sessions.expires, now)).returning({ token: sessions.sessionToken });
  const links = await db.delete(verificationTokens).where(lte(verificationTokens.expires, now)).returning({ identifier: verificationTokens.identifier });

  return { sessions: ended.length, signInLinks: links.length };
}
