import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { outboundEmails, staffMembers, verificationTokens } from "@/db/schema";
import { useTestDatabase } from "../../../../../support/database";
import { solveQuickly } from "../../../../../support/solve";
import { aSupporter, app, askForLink, askForLinkByForm, confirmLinkIn, deliver, type SmtpServer, useSignInSuite } from "../../../../../support/sign-in";

const database = useTestDatabase();
let smtp: SmtpServer;
useSignInSuite((started) => (smtp = started));

const tokens = () => getDb().select().from(verificationTokens);

describe(`POST /api/auth/sign-in on ${database.kind}`, () => {
  it("sends a supporter a link to our confirm page over SMTP, for ten minutes, in the page's language, however the address was typed", async () => {
    await aSupporter("anna@example.org");
    const asked = Date.now();
    const response = await askForLink({ email: "  Anna@Example.ORG ", lang: "ru", return: "/account" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ next: "/sign-in/sent?lang=ru" });

    expect(await deliver(smtp)).toEqual({ sent: 1, retried: 0, failed: 0 });
    const [email] = smtp.received;
    expect(email!.to).toEqual(["anna@example.org"]);
    expect(email!.language).toBe("ru");
    expect(email!.subject).toBe("Ссылка для входа");
    const link = confirmLinkIn(email!);
    expect(`${link.origin}${link.pathname}`).toBe(`${app()}/sign-in/confirm`);
    expect(link.searchParams.get("email")).toBe("anna@example.org");
    expect(link.searchParams.get("lang")).toBe("ru");
    // Nothing in the email spends the link on a GET: no address of Auth.js's callback.
    expect(`${email!.text}\n${email!.html}`).not.toContain("/api/auth/callback");
    expect(email!.text).toContain("10");

    // Auth.js keeps the token hashed, for this address, for ten minutes.
    const [row] = await tokens();
    expect(row!.identifier).toBe("anna@example.org");
    expect(row!.token).not.toBe(link.searchParams.get("token"));
    const minutesLeft = (row!.expires.getTime() - asked) / 60_000;
    expect(minutesLeft).toBeGreaterThan(9.9);
    expect(minutesLeft).toBeLessThanOrEqual(10.1);
    // Once sent, the outbox keeps neither the address nor the link.
    const [sent] = await getDb().select().from(outboundEmails);
    expect(sent).toMatchObject({ template: "sign_in", status: "sent", toAddress: "[erased]", props: null });
  });

  it("answers an address that gives and one that does not the same way, and writes only to the first", async () => {
    await aSupporter("known@example.org");
    const known = await askForLink({ email: "known@example.org" });
    const unknown = await askForLink({ email: "stranger@example.org" });
    expect(unknown.status).toBe(known.status);
    expect(await unknown.json()).toEqual(await known.json());
    const knownForm = await askForLinkByForm({ email: "known@example.org" });
    const unknownForm = await askForLinkByForm({ email: "stranger@example.org" });
    expect([knownForm.status, unknownForm.status]).toEqual([303, 303]);
    expect(unknownForm.headers.get("location")).toBe(knownForm.headers.get("location"));
    expect(knownForm.headers.get("location")).toBe("/sign-in/sent");

    await deliver(smtp);
    expect(smtp.received.map((email) => email.to)).toEqual([["known@example.org"], ["known@example.org"]]);
  });

  it("writes to staff who never gave: an admin by ADMIN_EMAILS and a granted finance role", async () => {
    await getDb().insert(staffMembers).values({ email: "books@example.org", role: "finance", grantedBy: "admin@example.org" });
    const before = smtp.received.length;
    for (const email of ["admin@example.org", "books@example.org"]) expect((await askForLink({ email })).status).toBe(200);
    await deliver(smtp);
    expect(smtp.received.slice(before).map((email) => email.to)).toEqual([["admin@example.org"], ["books@example.org"]]);
  });

  it("sends a plain form back to the sign-in page for a bad address, and JSON a 422 naming the field; nothing is made", async () => {
    const form = await askForLinkByForm({ email: "not an address", lang: "ru", return: "/account/statement" });
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe("/sign-in?error=email&return=%2Faccount%2Fstatement&lang=ru");
    const json = await askForLink({ email: "anna@@example.org" });
    expect(json.status).toBe(422);
    expect(((await json.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors).toHaveProperty("email");
    for (const email of ['"a"@example.org', "a@example.org,b@example.org", "a@example.org b@x.org", "ａ＠example.org@x.org"]) {
      expect((await askForLink({ email })).status).toBe(422);
    }
    expect(await tokens()).toEqual([]);
  });

  it("is rate limited per connection: past the soft limit a proof of work, which a plain form cannot give", async () => {
    const client = { "x-forwarded-for": "10.9.9.9" };
    for (const n of [1, 2, 3]) expect((await askForLink({ email: `limit${n}@example.org` }, client)).status).toBe(200);
    const asked = await askForLink({ email: "limit4@example.org" }, client);
    expect(asked.status).toBe(428);
    const { error } = (await asked.json()) as { error: { code: string; challenge: never } };
    expect(error.code).toBe("CHALLENGE_REQUIRED");
    expect(await tokens()).toHaveLength(3);
    const solution = solveQuickly(error.challenge);
    expect((await askForLink({ email: "limit4@example.org", challenge: solution }, client)).status).toBe(200);
    // A spent solution buys nothing more.
    expect((await askForLink({ email: "limit5@example.org", challenge: solution }, client)).status).toBe(428);
    const form = await askForLinkByForm({ email: "limit6@example.org" }, client);
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe("/sign-in?error=limited");
    expect(await tokens()).toHaveLength(4);
  });

  it("holds one inbox to eleven links a day from any number of connections, then answers 429, the same for an address that gives or not", async () => {
    await aSupporter("target@example.org");
    for (const email of ["target@example.org", "nobody@example.org"]) {
      let accepted = 0;
      let refused: Response | null = null;
      while (refused === null && accepted < 20) {
        // Each attempt from a connection of its own: only the inbox's counters meet.
        let response = await askForLink({ email });
        if (response.status === 428) {
          const { error } = (await response.json()) as { error: { challenge: never } };
          response = await askForLink({ email, challenge: solveQuickly(error.challenge) });
        }
        if (response.status === 429) refused = response;
        else if (response.status === 200) accepted++;
        else throw new Error(`${email}: answered ${response.status}`);
      }
      // Three as they are, then eight that cost a challenge's round trip each: twenty attempts.
      expect({ email, accepted }).toEqual({ email, accepted: 11 });
      expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThan(3600);
      expect(((await refused!.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    }
    await deliver(smtp);
    expect(smtp.received).toHaveLength(11);
    expect(smtp.received.every((email) => email.to[0] === "target@example.org")).toBe(true);
  }, 180_000);

  it("takes requests from our own pages only", async () => {
    await aSupporter("anna@example.org");
    expect((await askForLink({ email: "anna@example.org" }, { origin: "https://elsewhere.example" })).status).toBe(403);
    // A browser whose page sent no Origin still says where the request came from.
    expect((await askForLink({ email: "anna@example.org" }, { origin: "null", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await tokens()).toEqual([]);
    expect((await askForLink({ email: "anna@example.org" }, { origin: "null", "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect(await tokens()).toHaveLength(1);
  });
});
