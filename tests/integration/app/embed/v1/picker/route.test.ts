import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { someClient } from "../../../../../support/clients";
import { useTestDatabase } from "../../../../../support/database";
import { payCheckout, sandboxStripe } from "../../../../../support/stripe";

// The database must be chosen before the app's modules read their environment.
const database = useTestDatabase();

const { getDb } = await import("@/db");
const { campaigns, rateLimits } = await import("@/db/schema");
const { POST: postCheckout } = await import("@/app/api/checkout/route");
const { solveChallenge } = await import("@/lib/abuse/solve-challenge");
const { hashIp } = await import("@/lib/abuse/hash");
const { rateLimitSubject } = await import("@/lib/abuse/client-ip");
const { sign } = await import("@/lib/security/secrets");
const { REMINDER_LINK_PURPOSE } = await import("@/lib/reminders/links");
const { GET: pickerFragment } = await import("@/app/embed/v1/picker/route");
const { ensureProductUncached, giftProductFor } = await import("@/lib/stripe/gift-products");

// A client of its own (by address) unless the test says otherwise.
const checkoutRequest = (body: Record<string, unknown>, headers: Record<string, string> = someClient()) =>
  new Request("http://localhost:3000/api/checkout", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ frequency: "once", currency: "eur", amount: "25", attemptId: randomUUID(), locale: "en", ...body }),
  });

const formRequest = (fields: Record<string, string>, headers: Record<string, string> = someClient()) =>
  new Request("http://localhost:3000/api/checkout", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ frequency: "once", currency: "eur", amount: "25", attemptId: randomUUID(), locale: "en", ...fields }).toString(),
  });

const sessionOf = async (response: Response) => {
  const { url } = (await response.json()) as { url: string };

  return sandboxStripe().checkout.sessions.retrieve(/\/c\/pay\/(cs_test_\w+)$/.exec(url)![1]!, { expand: ["line_items", "payment_intent"] });
};

const clearLimits = () => getDb().delete(rateLimits);

describe(`the widget's server side on ${database.kind}`, () => {
  describe("checkout from the widget", () => {
    it("charges the gift plus the covered fee, and says so in the metadata", async () => {
      const response = await postCheckout(checkoutRequest({ amount: "20", coverFee: true }));
      expect(response.status).toBe(200);
      const session = await sessionOf(response);
      expect(session.amount_total).toBe(2056);
      expect(session.metadata).toMatchObject({ fee_covered: "56" });
      expect(session.cancel_url).toContain("cover=1");
    });

    it("gives a discreet one-time gift a neutral name and descriptor, and a discreet monthly gift a neutral product", async () => {
      const once = await sessionOf(await postCheckout(checkoutRequest({ discreet: true })));
      expect(once.line_items?.data[0]?.description).toBe("One-time payment");
      expect(once.metadata).toMatchObject({ discreet: "silent" });
      const paid = await payCheckout(once.id);
      const pi = await sandboxStripe().paymentIntents.retrieve(paid.session.payment_intent as string, { expand: ["latest_charge"] });
      expect(pi).toMatchObject({ statement_descriptor_suffix: "ONLINE SERVICES", description: "One-time payment" });
      expect(pi.latest_charge).toMatchObject({ calculated_statement_descriptor: "READERFUND* ONLINE SER" });

      const monthly = await sessionOf(await postCheckout(checkoutRequest({ frequency: "monthly", amount: "10", discreet: true, emailReceipts: true })));
      expect(monthly.metadata).toMatchObject({ discreet: "email" });
      const product = await sandboxStripe().products.retrieve("readerfund_gift_monthly_discreet");
      expect(product).toMatchObject({ name: "Monthly subscription", statement_descriptor: "ONLINE SERVICES" });
      expect(monthly.line_items?.data[0]?.price?.product).toBe("readerfund_gift_monthly_discreet");

      // Someone edits the descriptor in the Dashboard: the app puts it back.
      await sandboxStripe().products.update("readerfund_gift_monthly_discreet", { statement_descriptor: "THE EXILE TIMES" });
      await ensureProductUncached(sandboxStripe() as never, giftProductFor("monthly", "The Exile Times", { statementDescriptor: "ONLINE SERVICES" }));
      expect((await sandboxStripe().products.retrieve("readerfund_gift_monthly_discreet")).statement_descriptor).toBe("ONLINE SERVICES");
    });

    it("counts requests without a client address together, so made-up visitor ids cannot make them unlimited", async () => {
      await clearLimits();
      const statuses: number[] = [];
      // A fresh visitor id each time (the client chooses it) changes nothing: the address counter is shared.
      for (let i = 0; i < 6; i++) statuses.push((await postCheckout(checkoutRequest({ visitorId: `visitor_made_up_${i}_0000000` }, {}))).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 428]);
      await clearLimits();
    });

    it("carries a reminder's id from its signed link, and drops a link it cannot verify", async () => {
      const reminderId = randomUUID();
      const good = await sessionOf(await postCheckout(checkoutRequest({ reminder: sign(REMINDER_LINK_PURPOSE, reminderId), visitorId: "visitor_from_reminder_01" })));
      expect(good.metadata).toMatchObject({ reminder_id: reminderId, visitor_id: "visitor_from_reminder_01" });
      const forged = await sessionOf(await postCheckout(checkoutRequest({ reminder: `${sign(REMINDER_LINK_PURPOSE, reminderId)}x` })));
      expect(forged.metadata?.reminder_id).toBeUndefined();
    });

    it("asks a busy visitor for a proof of work, then lets the solved request through once", async () => {
      await clearLimits();
      const visitorId = "visitor_busy_0000000001";
      for (let i = 0; i < 5; i++) expect((await postCheckout(checkoutRequest({ visitorId }))).status).toBe(200);
      const asked = await postCheckout(checkoutRequest({ visitorId }));
      expect(asked.status).toBe(428);
      const { error } = (await asked.json()) as { error: { code: string; challenge: never } };
      expect(error.code).toBe("CHALLENGE_REQUIRED");
      const challenge = await solveChallenge(error.challenge);
      expect((await postCheckout(checkoutRequest({ visitorId, challenge }))).status).toBe(200);
      expect((await postCheckout(checkoutRequest({ visitorId, challenge }))).status).toBe(428);
      // A plain form post cannot solve it: back to the picker, which says to wait.
      const form = await postCheckout(formRequest({ visitorId }));
      expect(form.status).toBe(303);
      expect(form.headers.get("location")).toMatch(/\/donate\?error=limited/);
    });

    it("refuses one address past the hard limit with 429 and Retry-After, creating nothing", async () => {
      await clearLimits();
      const headers = { "x-forwarded-for": "203.0.113.9, 198.51.100.7" };
      // This address has already made its 30 attempts this hour (tests/integration/abuse/guard.test.ts
      // counts up to the limits; here the endpoint's answer is what is checked).
      const key = `checkout:ip:hard:${hashIp(rateLimitSubject("198.51.100.7"))}`;
      await getDb().insert(rateLimits).values({ key, points: 30, expire: new Date(Date.now() + 40 * 60 * 1000) });
      const before = (await sandboxStripe().checkout.sessions.list({ limit: 100 })).data.length;
      const response = await postCheckout(checkoutRequest({ visitorId: "visitor_new_here_0000001" }, headers));
      expect(response.status).toBe(429);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(39 * 60);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^Too many attempts\. Please try again in 40 minutes\./);
      expect((await sandboxStripe().checkout.sessions.list({ limit: 100 })).data.length).toBe(before);
      // The counters hold hashes, never the address.
      const keys = (await getDb().select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key).join(" ");
      expect(keys).not.toContain("198.51.100.7");
      expect(keys).not.toContain("visitor_new_here");
    });
  });

  describe("GET /embed/v1/picker", () => {
    const fragment = async (query: string, headers: Record<string, string> = {}) => {
      const response = await pickerFragment(new Request(`http://localhost:3000/embed/v1/picker?${query}`, { headers }));
      expect(response.status).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("cache-control")).toContain("no-store");

      return response.text();
    };

    it("speaks the page's language and picks the currency from the CDN's country header", async () => {
      const html = await fragment("lang=ru&article=https://news.example/a&section=world&campaign=&variant=v1", { "cf-ipcountry": "GB" });
      expect(html).toContain('lang="ru"');
      expect(html).toContain("Поддержите независимую журналистику");
      expect(html).toMatch(/<option value="gbp" selected="">/);
      expect(html).toContain('name="articleUrl" value="https://news.example/a"');
      expect(html).toContain('name="variant" value="v1"');
      expect(html).not.toContain("<!DOCTYPE");
      expect(await fragment("lang=en", { "cf-ipcountry": "US" })).toMatch(/<option value="usd" selected="">/);
      const german = await fragment("lang=de");
      expect(german).toMatch(/<option value="eur" selected="">/);
      expect(german).toContain("Support independent journalism");
    });

    it("takes presets and copy from the campaign in the database, and the default for any other", async () => {
      await getDb()
        .insert(campaigns)
        .values({
          slug: "spring",
          name: "Spring drive",
          presets: { once: { eur: { amounts: [1500, 3000, 6000], suggested: 3000 } } },
          copy: { en: { headline: "Our spring drive" } },
        });
      const spring = await fragment("lang=en&campaign=spring", { "cf-ipcountry": "FR" });
      expect(spring).toContain("Our spring drive");
      expect(spring).toMatch(/checked="" value="30"/);
      expect(spring).toContain("€60");
      // A currency the campaign leaves out falls back to the defaults; so does an unknown campaign.
      expect(await fragment("lang=en&campaign=spring", { "cf-ipcountry": "US" })).toMatch(/checked="" value="25"/);
      expect(await fragment("lang=en&campaign=nonesuch")).toContain("Support independent journalism");
      await getDb().update(campaigns).set({ active: false }).where(eq(campaigns.slug, "spring"));
      expect(await fragment("lang=en&campaign=spring")).not.toContain("Our spring drive");
      await getDb().execute(sql`delete from campaigns where slug = 'spring'`);
    });
  });
});
