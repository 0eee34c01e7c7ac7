import "server-only";
import { eq, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { sessions } from "@/db/schema";

/** The session cookie's value as a request carries it, under either of Auth.js's names. */
export function sessionTokenFromCookieHeader(header: string | null): string | null {
  for (const part of (header ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "__Secure-authjs.session-token" || name === "authjs.session-token") {
      const value = decodeURIComponent(rest.join("="));
      if (value.length > 0) return value;
    }
  }

  return null;
}

/** Signs this browser out: its session row goes, so the cookie, even if kept, opens nothing. */
export async function endSession(sessionToken: string): Promise<void> {
  await getDb().delete(sessions).where(eq(sessions.sessionToken, sessionToken));
}

/**
 * Signs the supporter out on every device: every session row of the user this session belongs to.
 * Returns how many were ended (0: this session was already gone, so nothing else can be named).
 */
export async function endEverySession(sessionToken: string): Promise<number> {
  const db = getDb();
  const owner = db.select({ userId: sessions.userId }).from(sessions).where(eq(sessions.sessionToken, sessionToken));
  const ended = await db.delete(sessions).where(inArray(sessions.userId, owner)).returning({ token: sessions.sessionToken });

  return ended.length;
}

/** Set-Cookie values that remove the session cookie under both names. */
export function clearedSessionCookies(): string[] {
  return [
    "__Secure-authjs.session-token=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
    "authjs.session-token=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax",
  ];
}
