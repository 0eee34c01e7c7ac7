import { describe, expect, it } from "vitest";
import { actorForSessionToken } from "@/lib/auth/current-actor";
import { useTestDatabase } from "../../../../../support/database";
import { aSupporter, fieldsOf, linkFor, pressSignIn, type SmtpServer, sessionCookieOf, signOut, useSignInSuite } from "../../../../../support/sign-in";

// The app as production serves it, over https (set before anything reads the environment).
process.env.APP_URL = "https://give.example.org";

const database = useTestDatabase();
let smtp: SmtpServer;
useSignInSuite((started) => (smtp = started));

describe(`POST /api/auth/confirm over https on ${database.kind}`, () => {
  it("sets the session cookie Secure, under its __Secure- name, and links and origins are the https ones", async () => {
    await aSupporter("anna@example.org");
    const link = await linkFor(smtp, "anna@example.org");
    expect(link.origin).toBe("https://give.example.org");
    // A page on plain http is not our page.
    expect((await pressSignIn(fieldsOf(link), { origin: "http://give.example.org" })).status).toBe(403);

    const cookie = sessionCookieOf(await pressSignIn(fieldsOf(link)));
    expect(cookie!.pair.startsWith("__Secure-authjs.session-token=")).toBe(true);
    expect(cookie!.attributes).toEqual(expect.arrayContaining(["Secure", "HttpOnly", "SameSite=Lax", "Path=/"]));
    expect(await actorForSessionToken(cookie!.token)).toMatchObject({ kind: "supporter", email: "anna@example.org" });

    const out = await signOut("here", cookie!.pair);
    expect(out.status).toBe(303);
    expect(await actorForSessionToken(cookie!.token)).toEqual({ kind: "nobody" });
  });
});
