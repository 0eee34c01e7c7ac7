import { eq, sql } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { sessions, users, verificationTokens } from "@/db/schema";
import { actorForSessionToken } from "@/lib/auth/current-actor";
import { GET as authJsCallback } from "@/app/api/auth/callback/nodemailer/route";
import ConfirmSignInPage from "@/app/sign-in/confirm/page";
import SignInProblemPage from "@/app/sign-in/problem/page";
import { useTestDatabase } from "../../../../../support/database";
import { aSupporter, app, fieldsOf, linkFor, pressSignIn, type SmtpServer, sessionCookieOf, useSignInSuite } from "../../../../../support/sign-in";

const database = useTestDatabase();
let smtp: SmtpServer;
useSignInSuite((started) => (smtp = started));

const tokens = () => getDb().select().from(verificationTokens);
const sessionRows = () => getDb().select().from(sessions);
const searchParamsOf = (link: URL) => Promise.resolve(Object.fromEntries(link.searchParams));

/** What a mail scanner does with every link in an email: open it, and follow where it leads. */
async function scan(link: URL): Promise<void> {
  const page = renderToStaticMarkup(await ConfirmSignInPage({ searchParams: searchParamsOf(link) }));
  expect(page).toContain('action="/api/auth/confirm"');
  // The same link the way Auth.js would have made it leads to the page, and spends nothing either.
  const viaAuthJs = authJsCallback(new Request(`${app()}/api/auth/callback/nodemailer?${link.searchParams.toString()}`));
  expect(viaAuthJs.status).toBe(303);
  expect(viaAuthJs.headers.get("location")).toBe(`/sign-in/confirm?token=${encodeURIComponent(link.searchParams.get("token")!)}&email=${encodeURIComponent(link.searchParams.get("email")!)}`);
}

describe(`POST /api/auth/confirm on ${database.kind}`, () => {
  it("signs in the person who presses the button after a scanner opened the link: a session row, an HttpOnly Lax cookie, the user by their lower-cased address", async () => {
    await aSupporter("anna@example.org");
    const link = await linkFor(smtp, "Anna@Example.org");
    await scan(link);
    await scan(link);
    expect(await tokens()).toHaveLength(1);
    expect(await sessionRows()).toEqual([]);

    const response = await pressSignIn(fieldsOf(link));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/account");
    const cookie = sessionCookieOf(response);
    expect(cookie).not.toBeNull();
    expect(cookie!.pair.startsWith("authjs.session-token=")).toBe(true);
    expect(cookie!.attributes).toEqual(expect.arrayContaining(["Path=/", "HttpOnly", "SameSite=Lax", expect.stringMatching(/^Expires=/)]));
    // http://localhost: not Secure (route.https.test.ts: Secure over https).
    expect(cookie!.attributes).not.toContain("Secure");
    expect(cookie!.token.length).toBeGreaterThanOrEqual(43);

    const [user] = await getDb().select().from(users);
    expect(user).toMatchObject({ email: "anna@example.org", emailVerified: expect.any(Date) });
    const [session] = await sessionRows();
    expect(session).toMatchObject({ sessionToken: cookie!.token, userId: user!.id });
    // Fourteen days.
    const days = (session!.expires.getTime() - user!.emailVerified!.getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(14);
    expect(await actorForSessionToken(cookie!.token)).toEqual({ kind: "supporter", userId: user!.id, email: "anna@example.org" });
    // The link is spent.
    expect(await tokens()).toEqual([]);
  });

  it("takes a link once: the second press leads to the problem page and makes no session", async () => {
    await aSupporter("anna@example.org");
    const link = await linkFor(smtp, "anna@example.org", { lang: "ru" });
    const first = await pressSignIn(fieldsOf(link));
    expect(first.status).toBe(303);
    // The account, in the language the person signed in in.
    expect(first.headers.get("location")).toBe("/account?lang=ru");
    const again = await pressSignIn(fieldsOf(link));
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/sign-in/problem?lang=ru");
    expect(sessionCookieOf(again)).toBeNull();
    expect(await sessionRows()).toHaveLength(1);
  });

  it("refuses a link past its ten minutes (moved by its own expiry, not by waiting), and spends it", async () => {
    await aSupporter("anna@example.org");
    const link = await linkFor(smtp, "anna@example.org");
    // The token's expiry moved back by its own lifetime: it ran out the moment it was made.
    await getDb().update(verificationTokens).set({ expires: sql`${verificationTokens.expires} - interval '10 minutes'` });
    const response = await pressSignIn(fieldsOf(link));
    expect(response.headers.get("location")).toBe("/sign-in/problem");
    expect(await sessionRows()).toEqual([]);
    expect(await tokens()).toEqual([]);
  });

  it("refuses an altered token or address, and the link itself still works afterwards", async () => {
    await aSupporter("anna@example.org");
    await aSupporter("boris@example.org");
    const link = await linkFor(smtp, "anna@example.org");
    const fields = fieldsOf(link);
    const token = fields.token!;
    const altered = `${token.slice(0, -1)}${token.endsWith("a") ? "b" : "a"}`;
    for (const tampered of [{ ...fields, token: altered }, { ...fields, email: "boris@example.org" }, { ...fields, token: "" }, { ...fields, email: "" }, { ...fields, token: "<script>" }]) {
      const response = await pressSignIn(tampered);
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/sign-in/problem");
    }
    expect(await sessionRows()).toEqual([]);
    const response = await pressSignIn(fields);
    expect(response.headers.get("location")).toBe("/account");
    const [session] = await sessionRows();
    const [boris] = await getDb().select().from(users).where(eq(users.email, "boris@example.org"));
    expect(boris).toBeUndefined();
    expect(session).toBeDefined();
  });

  it("says in both languages why a link cannot be used, with the form to ask for another", async () => {
    const en = renderToStaticMarkup(await SignInProblemPage({ searchParams: Promise.resolve({}) }));
    expect(en).toContain("This sign-in link cannot be used");
    expect(en).toContain("10 minutes");
    expect(en).toContain('action="/api/auth/sign-in"');
    const ru = renderToStaticMarkup(await SignInProblemPage({ searchParams: Promise.resolve({ lang: "ru" }) }));
    expect(ru).toContain("Эту ссылку для входа нельзя использовать");
    expect(ru).toContain('name="lang" value="ru"');
  });

  it("goes back where the person was going, but never to another site", async () => {
    await aSupporter("anna@example.org");
    const inside = await linkFor(smtp, "anna@example.org", { return: "/account?tab=gifts" });
    expect(inside.searchParams.get("return")).toBe("/account?tab=gifts");
    expect((await pressSignIn(fieldsOf(inside))).headers.get("location")).toBe("/account?tab=gifts");
    for (const [n, hostile] of ["//evil.example/account", "https://evil.example/", "/\\evil.example"].entries()) {
      // An address each: one inbox asking four times in ten minutes would be asked for a proof of work.
      await aSupporter(`anna${n}@example.org`);
      const link = await linkFor(smtp, `anna${n}@example.org`, { return: hostile });
      expect(link.searchParams.get("return")).toBeNull();
      const response = await pressSignIn({ ...fieldsOf(link), return: hostile });
      expect(response.headers.get("location")).toBe("/account");
    }
  });

  it("refuses a press posted from another site (signing a visitor into someone else's account), spending nothing", async () => {
    await aSupporter("anna@example.org");
    const link = await linkFor(smtp, "anna@example.org");
    const attempts: Array<Record<string, string>> = [{ origin: "https://evil.example" }, { origin: "null", "sec-fetch-site": "cross-site" }, {}];
    for (const headers of attempts) {
      expect((await pressSignIn(fieldsOf(link), headers)).status).toBe(403);
    }
    expect(await tokens()).toHaveLength(1);
    expect(await sessionRows()).toEqual([]);
  });

  it("signing in as someone else ends the session the browser had", async () => {
    await aSupporter("anna@example.org");
    await aSupporter("boris@example.org");
    const anna = sessionCookieOf(await pressSignIn(fieldsOf(await linkFor(smtp, "anna@example.org"))))!;
    const link = await linkFor(smtp, "boris@example.org");
    const boris = sessionCookieOf(await pressSignIn(fieldsOf(link), { origin: app(), cookie: anna.pair }))!;
    expect(await actorForSessionToken(anna.token)).toEqual({ kind: "nobody" });
    expect(await actorForSessionToken(boris.token)).toMatchObject({ kind: "supporter", email: "boris@example.org" });
  });
});
