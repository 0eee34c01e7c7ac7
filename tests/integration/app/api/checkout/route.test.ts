import { randomUUID } from "node:crypto";
import fc from "fast-check";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { rateLimits } from "@/db/schema";
import { env } from "@/lib/env";
import { POST as postCheckout } from "@/app/api/checkout/route";
import { rateLimitSubject } from "@/lib/abuse/client-ip";
import { hashIp } from "@/lib/abuse/hash";
import { REMINDER_LINK_PURPOSE } from "@/lib/reminders/links";
import { sign } from "@/lib/security/secrets";
import { ensureProductUncached, giftProductFor } from "@/lib/stripe/gift-products";
import { someClient } from "../../../../support/clients";
import { useTestDatabase } from "../../../../support/database";
import { solveQuickly } from "../../../../support/solve";
import { payCheckout, sandboxStripe } from "../../../../support/stripe";

// The rate-limit counters live in the database.
useTestDatabase();


function jsonRequest(body: unknown, contentType = "application/json"): Request {
  return new Request("http://localhost:3000/api/checkout", {
    method: "POST",
    headers: { "content-type": contentType, ...someClient() },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function formRequest(fields: Record<string, string>): Request {
  return new Request("http://localhost:3000/api/checkout", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...someClient() },
    body: new URLSearchParams(fields).toString(),
  });
}

const valid = () => ({ frequency: "once", currency: "eur", amount: "25", attemptId: randomUUID(), locale: "en" });

const sessionIdOf = (url: string) => /\/c\/pay\/(cs_test_\w+)$/.exec(url)![1]!;

/** Sessions in the stand-in created for one attempt (the attempt id travels in metadata). */
async function sessionsFor(attemptId: string) {
  const list = await sandboxStripe().checkout.sessions.list({ limit: 100 });

  return list.data.filter((s) => s.metadata?.attempt_id === attemptId);
}

describe("POST /api/checkout", () => {
  it("creates a one-time Checkout Session for the amount, in minor units, and returns its URL", async () => {
    const input = { ...valid(), amount: "25.50", articleUrl: "https://news.example/story", campaign: "footer", section: "world" };
    const response = await postCheckout(jsonRequest(input));

    expect(response.status).toBe(200);
    const { url } = (await response.json()) as { url: string };
    const sessionId = /\/c\/pay\/(cs_test_\w+)$/.exec(url)?.[1];
    expect(sessionId).toBeDefined();
    const session = await sandboxStripe().checkout.sessions.retrieve(sessionId!, { expand: ["line_items"] });
    expect(session).toMatchObject({
      mode: "payment",
      submit_type: "donate",
      amount_total: 2550,
      currency: "eur",
      customer_creation: "always",
      locale: "en",
      metadata: { kind: "readerfund_gift", frequency: "once", attempt_id: input.attemptId, article_url: input.articleUrl, campaign: "footer", section: "world" },
    });
    expect(session.success_url).toBe("http://localhost:3000/donate/thank-you?session_id={CHECKOUT_SESSION_ID}&lang=en");
    expect(session.cancel_url).toContain("/donate?cancelled=1");
    expect(session.line_items?.data[0]?.price?.unit_amount).toBe(2550);
    expect(session.expires_at - session.created).toBeGreaterThanOrEqual(60 * 60);
  });

  it("gives a double click the same session", async () => {
    const input = valid();
    const [a, b] = await Promise.all([postCheckout(jsonRequest(input)), postCheckout(jsonRequest(input))]);
    const first = (await a.json()) as { url: string };
    const second = (await b.json()) as { url: string };
    const third = (await (await postCheckout(jsonRequest(input))).json()) as { url: string };

    expect(first.url).toBe(second.url);
    expect(third.url).toBe(first.url);
    expect(await sessionsFor(input.attemptId)).toHaveLength(1);
  });

  it("gives a reader who paid and comes back to the same form a new session", async () => {
    const input = valid();
    const first = (await (await postCheckout(jsonRequest(input))).json()) as { url: string };
    await payCheckout(/(cs_test_\w+)$/.exec(first.url)![1]!);
    const again = (await (await postCheckout(jsonRequest(input))).json()) as { url: string };

    expect(again.url).not.toBe(first.url);
    const session = await sandboxStripe().checkout.sessions.retrieve(/(cs_test_\w+)$/.exec(again.url)![1]!);
    expect(session).toMatchObject({ status: "open", amount_total: 2500 });
  });

  it("refuses a body that grows past the limit while it streams in, without a Content-Length", async () => {
    const chunk = new TextEncoder().encode("x".repeat(8192));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const request = new Request("http://localhost:3000/api/checkout", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(request.headers.get("content-length")).toBeNull();
    expect((await postCheckout(request)).status).toBe(413);
  });

  it("gives a changed amount on the same form a new session", async () => {
    const input = valid();
    const a = (await (await postCheckout(jsonRequest(input))).json()) as { url: string };
    const b = (await (await postCheckout(jsonRequest({ ...input, amount: "30" }))).json()) as { url: string };

    expect(a.url).not.toBe(b.url);
    expect((await sessionsFor(input.attemptId)).map((s) => s.amount_total).sort()).toEqual([2500, 3000]);
  });

  it.each([
    [{ amount: "0.99" }, "amount", "Enter at least €1.00"],
    [{ amount: "10000.01" }, "amount", "Enter at most €10,000.00"],
    [{ amount: "abc" }, "amount", "Enter the amount as a number"],
    [{ amount: "-5" }, "amount", "Enter the amount as a number"],
    [{ amount: "" }, "amount", "Choose or enter an amount"],
    [{ amount: undefined }, "amount", "Choose or enter an amount"],
    [{ amount: 25 }, "amount", "Send the amount as text"],
    [{ currency: "jpy" }, "currency", "Choose a currency"],
    [{ frequency: "weekly" }, "frequency", "Choose how often"],
    [{ attemptId: "not-a-uuid" }, "attemptId", "attempt id"],
  ])("refuses %j with 422 naming %s, and creates nothing", async (override, field, message) => {
    const input = { ...valid(), ...override };
    const response = await postCheckout(jsonRequest(input));

    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { code: string; fieldErrors: Record<string, string> } };
    expect(body.error.code).toBe("INVALID_INPUT");
    expect(body.error.fieldErrors[field]).toContain(message);
    if (typeof input.attemptId === "string") expect(await sessionsFor(input.attemptId)).toHaveLength(0);
  });

  it("drops attribution it cannot use rather than refusing the gift", async () => {
    const input = { ...valid(), articleUrl: "javascript:alert(1)", campaign: "<script>", section: "world & politics", variant: "x".repeat(101) };
    const response = await postCheckout(jsonRequest(input));

    expect(response.status).toBe(200);
    const [session] = await sessionsFor(input.attemptId);
    expect(session!.metadata).toEqual({ kind: "readerfund_gift", frequency: "once", attempt_id: input.attemptId, locale: "en", section: "world & politics" });
  });

  it("refuses a body that is not JSON or a form, and an oversized one", async () => {
    expect((await postCheckout(jsonRequest("{not json"))).status).toBe(400);
    expect((await postCheckout(jsonRequest("[1,2]"))).status).toBe(400);
    expect((await postCheckout(jsonRequest("amount=5", "text/plain"))).status).toBe(415);
    expect((await postCheckout(jsonRequest("amount=5", "multipart/form-data; boundary=x"))).status).toBe(415);
    const huge = { ...valid(), section: "x".repeat(20_000) };
    expect((await postCheckout(jsonRequest(huge))).status).toBe(413);
  });

  it("turns any malformed input into a 4xx without creating a session (fuzzed)", async () => {
    const attemptId = randomUUID();
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            frequency: fc.oneof(fc.constantFrom("once", "monthly", "annual"), fc.string()),
            currency: fc.oneof(fc.constantFrom("eur", "usd", "gbp"), fc.string()),
            amount: fc.oneof(fc.string(), fc.double().map(String), fc.integer().map(String), fc.constant("0")),
            articleUrl: fc.oneof(fc.webUrl(), fc.string()),
            campaign: fc.string(),
            extra: fc.anything(),
          },
          { requiredKeys: [] },
        ),
        async (fuzz) => {
          const response = await postCheckout(jsonRequest({ ...fuzz, attemptId }));
          expect([200, 400, 413, 422]).toContain(response.status);
          if (response.status === 200) {
            // Only a gift the schema accepts gets a session: it must be within the bounds.
            const { url } = (await response.json()) as { url: string };
            const session = await sandboxStripe().checkout.sessions.retrieve(/(cs_test_\w+)$/.exec(url)![1]!);
            expect(session.amount_total).toBeGreaterThanOrEqual(100);
            expect(session.amount_total).toBeLessThanOrEqual(1_000_000);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("sends a plain form post (no JavaScript) to Stripe with a 303, and a bad one back to the picker", async () => {
    const ok = await postCheckout(formRequest({ ...valid(), amount: "10", customAmount: "" }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toMatch(/\/c\/pay\/cs_test_/);

    const custom = await postCheckout(formRequest({ ...valid(), amount: "10", customAmount: "42" }));
    const session = await sandboxStripe().checkout.sessions.retrieve(/(cs_test_\w+)$/.exec(custom.headers.get("location")!)![1]!);
    expect(session.amount_total).toBe(4200);

    const attemptId = randomUUID();
    const bad = await postCheckout(formRequest({ ...valid(), attemptId, amount: "10", customAmount: "0.10" }));
    expect(bad.status).toBe(303);
    const back = new URL(bad.headers.get("location")!);
    expect(back.pathname).toBe("/donate");
    expect(back.searchParams.get("error")).toBe("amount");
    expect(back.searchParams.get("amount")).toBe("0.10");
    expect(await sessionsFor(attemptId)).toHaveLength(0);
  });
});

describe.each([
  { frequency: "monthly", interval: "month", product: "readerfund_gift_monthly", productName: "Monthly gift to", amount: "12.50", amountMinor: 1250 },
  { frequency: "annual", interval: "year", product: "readerfund_gift_annual", productName: "Annual gift to", amount: "120", amountMinor: 12000 },
] as const)("POST /api/checkout for a $frequency gift", ({ frequency, interval, product, productName, amount, amountMinor }) => {
  const recurring = () => ({ ...valid(), frequency, amount });

  it("creates a subscription-mode session on the fixed product, our metadata on the session and the subscription", async () => {
    const input = { ...recurring(), articleUrl: "https://news.example/story", campaign: "footer", section: "world", variant: "b" };
    const response = await postCheckout(jsonRequest(input));

    expect(response.status).toBe(200);
    const { url } = (await response.json()) as { url: string };
    const stripe = sandboxStripe();
    const session = await stripe.checkout.sessions.retrieve(sessionIdOf(url), { expand: ["line_items"] });
    const metadata = {
      kind: "readerfund_gift",
      frequency,
      attempt_id: input.attemptId,
      locale: "en",
      article_url: input.articleUrl,
      campaign: "footer",
      section: "world",
      variant: "b",
    };
    expect(session).toMatchObject({ mode: "subscription", status: "open", amount_total: amountMinor, currency: "eur", locale: "en", metadata });
    expect(session.submit_type).toBeNull();
    expect(session.success_url).toBe("http://localhost:3000/donate/thank-you?session_id={CHECKOUT_SESSION_ID}&lang=en");
    expect(session.cancel_url).toContain(`/donate?cancelled=1&frequency=${frequency}&currency=eur`);
    expect(session.expires_at - session.created).toBeGreaterThanOrEqual(60 * 60);
    expect(session.expires_at - session.created).toBeLessThanOrEqual(70 * 60);
    const [item] = session.line_items!.data;
    expect(item).toMatchObject({ quantity: 1, price: { unit_amount: amountMinor, currency: "eur", product, recurring: { interval, interval_count: 1 } } });

    const fixed = await stripe.products.retrieve(product);
    expect(fixed).toMatchObject({ id: product, active: true, name: `${productName} ${env().newsroomName}` });

    // subscription_data is not readable on the session: it shows on the subscription Checkout creates.
    await payCheckout(session.id);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["subscription"] });
    expect(paid).toMatchObject({ status: "complete", payment_status: "paid" });
    const subscription = paid.subscription as Stripe.Subscription;
    expect(subscription.metadata).toEqual(metadata);
    expect(subscription.description).toBe(`${productName} ${env().newsroomName}`);
    expect(subscription.items.data[0]?.price).toMatchObject({ unit_amount: amountMinor, product, recurring: { interval } });
  });

  it("gives a double click the same session", async () => {
    const input = recurring();
    const [a, b] = await Promise.all([postCheckout(jsonRequest(input)), postCheckout(jsonRequest(input))]);
    const first = (await a.json()) as { url: string };
    const second = (await b.json()) as { url: string };
    const third = (await (await postCheckout(jsonRequest(input))).json()) as { url: string };

    expect(first.url).toBeDefined();
    expect(second.url).toBe(first.url);
    expect(third.url).toBe(first.url);
    expect(await sessionsFor(input.attemptId)).toHaveLength(1);
  });

  it("gives a reader who paid and comes back to the same form a new session", async () => {
    const input = recurring();
    const first = (await (await postCheckout(jsonRequest(input))).json()) as { url: string };
    await payCheckout(sessionIdOf(first.url));
    const again = (await (await postCheckout(jsonRequest(input))).json()) as { url: string };

    expect(again.url).not.toBe(first.url);
    const session = await sandboxStripe().checkout.sessions.retrieve(sessionIdOf(again.url));
    expect(session).toMatchObject({ mode: "subscription", status: "open", amount_total: amountMinor });
  });

  it("gives once and this frequency, for the same attempt, different sessions", async () => {
    const input = recurring();
    const once = (await (await postCheckout(jsonRequest({ ...input, frequency: "once" }))).json()) as { url: string };
    const repeat = (await (await postCheckout(jsonRequest(input))).json()) as { url: string };

    expect(once.url).toBeDefined();
    expect(repeat.url).toBeDefined();
    expect(repeat.url).not.toBe(once.url);
    const modes = (await sessionsFor(input.attemptId)).map((s) => `${s.mode}:${s.metadata?.frequency}`).sort();
    expect(modes).toEqual(["payment:once", `subscription:${frequency}`]);
  });

  it.each([
    [{ amount: "0.99" }, "amount", "Enter at least €1.00"],
    [{ amount: "10000.01" }, "amount", "Enter at most €10,000.00"],
    [{ currency: "gbp", amount: "0.50" }, "amount", "Enter at least £1.00"],
    [{ currency: "usd", amount: "10000.01" }, "amount", "Enter at most $10,000.00"],
    [{ amount: "abc" }, "amount", "Enter the amount as a number"],
    [{ currency: "jpy" }, "currency", "Choose a currency"],
  ])("refuses %j with 422 naming %s, and creates nothing", async (override, field, message) => {
    const input = { ...recurring(), ...override };
    const response = await postCheckout(jsonRequest(input));

    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { code: string; fieldErrors: Record<string, string> } };
    expect(body.error.code).toBe("INVALID_INPUT");
    expect(body.error.fieldErrors[field]).toContain(message);
    expect(await sessionsFor(input.attemptId)).toHaveLength(0);
  });

  it("accepts the limits themselves", async () => {
    for (const edge of ["1", "10000"]) {
      const response = await postCheckout(jsonRequest({ ...recurring(), amount: edge }));
      expect(response.status).toBe(200);
    }
  });

  it("sends a plain form post (no JavaScript) to Stripe with a 303", async () => {
    const input = recurring();
    const ok = await postCheckout(formRequest({ ...input, amount: "10", customAmount: "7" }));
    expect(ok.status).toBe(303);
    const session = await sandboxStripe().checkout.sessions.retrieve(sessionIdOf(ok.headers.get("location")!));
    expect(session).toMatchObject({ mode: "subscription", amount_total: 700, metadata: { frequency } });

    const bad = await postCheckout(formRequest({ ...valid(), frequency, amount: "10", customAmount: "0.10" }));
    const back = new URL(bad.headers.get("location")!);
    expect(back.searchParams.get("error")).toBe("amount");
    expect(back.searchParams.get("frequency")).toBe(frequency);
  });
});

describe("bad input found outside testing", () => {
  const giftBody = { frequency: "once", currency: "eur", amount: "25", locale: "en" };

  it('refuses an amount with two currency signs ("$25$") or another currency\'s sign, naming the amount', async () => {
    for (const amount of ["$25$", "$25", "€25€"]) {
      const response = await postCheckout(
        new Request("http://localhost:3000/api/checkout", {
          method: "POST",
          headers: { "content-type": "application/json", ...someClient() },
          body: JSON.stringify({ ...giftBody, amount, attemptId: randomUUID() }),
        }),
      );
      expect({ amount, status: response.status }).toEqual({ amount, status: 422 });
      expect(((await response.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors).toHaveProperty("amount");
    }
  });
});

describe("checkout from the widget", () => {
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
    const challenge = solveQuickly(error.challenge);
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
