import { randomBytes } from "node:crypto";
import { getDb } from "@/db";
import { sessions, users } from "@/db/schema";
import { actorForSessionToken } from "@/lib/auth/current-actor";
import type { Actor } from "@/lib/supporters/actor";

/**
 * A person signed in as Auth.js leaves them: a user for the address and a database session, read
 * back through the same lookup the app makes from the session cookie (lib/auth/current-actor.ts).
 */
export async function signedIn(email: string): Promise<Actor & { kind: "supporter" }> {
  return (await signedInSession(email)).actor;
}

/** The same, with the session's token: what the browser's session cookie would carry. */
export async function signedInSession(email: string): Promise<{ actor: Actor & { kind: "supporter" }; token: string }> {
  const db = getDb();
  const [user] = await db
    .insert(users)
    .values({ email: email.toLowerCase(), emailVerified: new Date() })
    .onConflictDoUpdate({ target: users.email, set: { emailVerified: new Date() } })
    .returning({ id: users.id });
  const token = randomBytes(24).toString("hex");
  await db.insert(sessions).values({ sessionToken: token, userId: user!.id, expires: new Date(Date.now() + 24 * 3600 * 1000) });
  const actor = await actorForSessionToken(token);
  if (actor.kind !== "supporter") throw new Error("the session did not resolve to a supporter");

  return { actor, token };
}
