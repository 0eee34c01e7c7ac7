import "server-only";
import { and, eq, gt } from "drizzle-orm";
import { cookies } from "next/headers";
import { getDb } from "@/db";
import { sessions, users } from "@/db/schema";
import type { Actor } from "@/lib/supporters/actor";
import { nobody } from "@/lib/supporters/actor";
import { sessionCookieName } from "./config";

/** Both names Auth.js's session cookie may have had: cleared together when a session ends. */
export const SESSION_COOKIES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

/**
 * The signed-in supporter behind this request, from the session cookie and the sessions table (the
 * row is the truth: signing out everywhere deletes it, and the next request is nobody), or nobody.
 */
export async function currentActor(): Promise<Actor> {
  // Only the name this deployment issues: over https, the `__Secure-` cookie, which no plain-http
  // response (a network attacker's) can set, so no one can plant their own session on a supporter.
  const token = (await cookies()).get(sessionCookieName())?.value;
  if (!token) return nobody;

  return actorForSessionToken(token);
}

export async function actorForSessionToken(token: string): Promise<Actor> {
  const [row] = await getDb()
    .select({ userId: users.id, email: users.email })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.sessionToken, token), gt(sessions.expires, new Date())))
    .limit(1);

  return row ? { kind: "supporter", userId: row.userId, email: row.email.toLowerCase() } : nobody;
}
