import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { sessions, users } from "@/db/schema";
import { actorForSessionToken } from "@/lib/auth/current-actor";
import { useTestDatabase } from "../../../../../support/database";
import { aSupporter, fieldsOf, linkFor, pressSignIn, type SmtpServer, sessionCookieOf, signOut, useSignInSuite } from "../../../../../support/sign-in";

const database = useTestDatabase();
let smtp: SmtpServer;
useSignInSuite((started) => (smtp = started));

/** Signs `email` in once more (another device) and returns that session's cookie. */
async function signedIn(email: string) {
  const cookie = sessionCookieOf(await pressSignIn(fieldsOf(await linkFor(smtp, email))));
  expect(cookie).not.toBeNull();

  return cookie!;
}

const sessionsOf = async (email: string) =>
  (await getDb().select({ token: sessions.sessionToken }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(users.email, email))).map((r) => r.token);

const clearsTheCookie = (response: Response) =>
  response.headers.getSetCookie().some((line) => /^(__Secure-)?authjs\.session-token=;/.test(line) && /Max-Age=0/.test(line));

describe(`POST /api/auth/sign-out on ${database.kind}`, () => {
  it("signs this device out: its session row goes, the cookie is cleared, and the next request with it is nobody", async () => {
    await aSupporter("anna@example.org");
    const laptop = await signedIn("anna@example.org");
    const phone = await signedIn("anna@example.org");
    const response = await signOut("here", laptop.pair);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/sign-in?out=here");
    expect(clearsTheCookie(response)).toBe(true);
    expect(await sessionsOf("anna@example.org")).toEqual([phone.token]);
    expect(await actorForSessionToken(laptop.token)).toEqual({ kind: "nobody" });
    expect(await actorForSessionToken(phone.token)).toMatchObject({ kind: "supporter", email: "anna@example.org" });
  });

  it("signs out everywhere: every session of this supporter goes and no one else's", async () => {
    await aSupporter("anna@example.org");
    await aSupporter("boris@example.org");
    const devices = [await signedIn("anna@example.org"), await signedIn("anna@example.org"), await signedIn("anna@example.org")];
    const boris = await signedIn("boris@example.org");
    const response = await signOut("everywhere", devices[1]!.pair);
    expect(response.headers.get("location")).toBe("/sign-in?out=everywhere");
    expect(clearsTheCookie(response)).toBe(true);
    expect(await sessionsOf("anna@example.org")).toEqual([]);
    for (const device of devices) expect(await actorForSessionToken(device.token)).toEqual({ kind: "nobody" });
    expect(await sessionsOf("boris@example.org")).toEqual([boris.token]);
  });

  it("clears the cookie of a browser whose session is already gone, and ends nothing else", async () => {
    await aSupporter("anna@example.org");
    const anna = await signedIn("anna@example.org");
    for (const scope of ["here", "everywhere"] as const) {
      const response = await signOut(scope, "authjs.session-token=not-a-session");
      expect(response.status).toBe(303);
      expect(clearsTheCookie(response)).toBe(true);
      expect((await signOut(scope, null)).status).toBe(303);
    }
    expect(await sessionsOf("anna@example.org")).toEqual([anna.token]);
  });

  it("refuses a sign-out posted from another site", async () => {
    await aSupporter("anna@example.org");
    const anna = await signedIn("anna@example.org");
    expect((await signOut("everywhere", anna.pair, { origin: "https://evil.example" })).status).toBe(403);
    expect(await sessionsOf("anna@example.org")).toEqual([anna.token]);
  });
});
