import { lte } from "drizzle-orm";
import { getDb, type Queryable } from "@/db";
import { rateLimits, spentChallenges } from "@/db/schema";

/**
 * Deletes counters whose window has ended and spent challenges that have expired (a replay of one
 * fails on its expiry alone). For the hourly scheduled work; uses the app's clock, as the counters do.
 */
export async function deleteExpiredAbuseRows(db: Queryable = getDb(), now: Date = new Date()): Promise<{ rateLimits: number; spentChallenges: number }> {
  const counters = await db.delete(rateLimits).where(lte(rateLimits.expire, now)).returning({ key: rateLimits.key });
  const challenges = await db.delete(spentChallenges).where(lte(spentChallenges.expiresAt, now)).returning({ signature: spentChallenges.signature });

  return { rateLimits: counters.length, spentChallenges: challenges.length };
}
