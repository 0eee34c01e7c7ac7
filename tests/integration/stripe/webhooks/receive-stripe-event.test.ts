import { and, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { gifts, payments, stripeEvents } from "@/db/schema";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { MAX_RETRY_AGE_HOURS } from "@/lib/stripe/webhooks/inbox-leases";
import { useTestDatabase } from "../../../support/database";
import { giveOnce } from "../../../support/gifts";
import { clearLedger, countRows, ledgerSnapshot } from "../../../support/ledger";
import {
  control,
  deliver,
  deliveryOrders,
  eventsAfter,
  lastEventId,
  payCheckout,
  sandboxStripe,
  signedWebhookRequest,
  webhookResponse,
} from "../../../support/stripe";

const database = useTestDatabase();

describe(`webhook route on ${database.kind}`, () => {
  beforeEach(async () => {
    await clearLedger();
    await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
  });

  it("records the supporter, the gift and its payment with Stripe's fee and net", async () => {
    const { session, events } = await giveOnce({ amount: 2500, currency: "eur", metadata: { article_url: "https://news.example/a", campaign: "footer", section: "world" } });
    expect(events.map((e) => e.type)).toContain("checkout.session.completed");

    const responses = await deliver(events);
    expect(responses.map((r) => r.status)).toEqual(events.map(() => 200));
    await drainStripeEvents();

    const ledger = await ledgerSnapshot();
    expect(ledger.supporters).toEqual([{ email: "reader@example.org", name: null, locale: "en", discreet: false }]);
    // Applied events keep no copy of what Stripe sent (the supporter's email and card country were in it).
    const inbox = await getDb().select({ status: stripeEvents.status, payload: stripeEvents.payload }).from(stripeEvents);
    expect(inbox.filter((row) => row.status === "processed")).not.toHaveLength(0);
    expect(inbox.every((row) => row.payload === null && row.status !== "pending")).toBe(true);
    expect(ledger.gifts).toEqual([
      expect.objectContaining({
        stripeCheckoutSessionId: session.id,
        frequency: "once",
        amountMinor: 2500,
        currency: "eur",
        livemode: "test",
        articleUrl: "https://news.example/a",
        section: "world",
        campaign: "footer",
        supporter: "reader@example.org",
      }),
    ]);
    const paid = await sandboxStripe().checkout.sessions.retrieve(session.id, { expand: ["payment_intent.latest_charge.balance_transaction"] });
    const charge = (paid.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
    const bt = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(ledger.payments).toEqual([
      expect.objectContaining({
        stripeChargeId: charge.id,
        stripeBalanceTransactionId: bt.id,
        amountMinor: 2500,
        currency: "eur",
        settlementAmountMinor: 2500,
        // Stripe's EEA standard card pricing: 1.5% + €0.25.
        feeMinor: 63,
        netMinor: 2437,
        settlementCurrency: "eur",
        gift: session.id,
      }),
    ]);
  });

  it("ends with the same ledger whatever the order and repetition of delivery", async () => {
    const { events } = await giveOnce({ amount: 1234, currency: "usd", email: "order@example.org" });
    const orders = deliveryOrders(events, 7);

    const snapshots: Array<{ name: string; ledger: Awaited<ReturnType<typeof ledgerSnapshot>> }> = [];
    for (const order of orders) {
      for (const drainEach of [false, true]) {
        await clearLedger();
        for (const event of order.events) {
          const [response] = await deliver([event]);
          expect(response!.status).toBe(200);
          if (drainEach) await drainStripeEvents();
        }
        await drainStripeEvents();
        snapshots.push({ name: `${order.name}${drainEach ? ", applied one by one" : ""}`, ledger: await ledgerSnapshot() });
      }
    }
    const [first, ...rest] = snapshots;
    expect(first!.ledger.gifts).toHaveLength(1);
    expect(first!.ledger.payments).toHaveLength(1);
    // 2.9% + 30¢ of $12.34 = 35.786 → 36, + 30.
    expect(first!.ledger.payments[0]).toMatchObject({ amountMinor: 1234, feeMinor: 66, netMinor: 1168 });
    for (const snapshot of rest) expect({ name: snapshot.name, ledger: snapshot.ledger }).toEqual({ name: snapshot.name, ledger: first!.ledger });
  });

  it("treats a redelivered event as a no-op that answers 2xx", async () => {
    const { events } = await giveOnce();
    const completed = events.find((e) => e.type === "checkout.session.completed")!;
    const [first] = await deliver([completed]);
    await drainStripeEvents();
    const before = await countRows();
    const [second] = await deliver([completed]);
    await drainStripeEvents();

    expect(first!.status).toBe(200);
    expect(second!.status).toBe(200);
    expect(await second!.json()).toEqual({ received: true, duplicate: true });
    expect(await countRows()).toEqual(before);
    expect(before).toMatchObject({ gifts: 1, payments: 1, supporters: 1, stripeEvents: 1 });
  });

  it("refuses a missing, wrong, tampered or stale signature with 400 and writes nothing", async () => {
    const { events } = await giveOnce();
    const completed = events.find((e) => e.type === "checkout.session.completed")!;
    const body = JSON.stringify(completed, null, 2);
    const tampered = body.replace(/"amount_total": \d+/, '"amount_total": 1');
    const cases: Array<[string, Request]> = [
      ["missing header", signedWebhookRequest(body, { signature: null })],
      ["wrong secret", signedWebhookRequest(body, { secret: "whsec_not_our_secret" })],
      ["tampered body", new Request("http://localhost/api/stripe/webhook", { method: "POST", headers: { "stripe-signature": signedWebhookRequest(body).headers.get("stripe-signature")! }, body: tampered })],
      ["stale timestamp", signedWebhookRequest(body, { timestamp: Math.floor(Date.now() / 1000) - 301 })],
      ["garbage header", signedWebhookRequest(body, { signature: "t=abc,v1=def" })],
    ];
    for (const [name, request] of cases) {
      const response = await webhookResponse(request);
      expect({ name, status: response.status }).toEqual({ name, status: 400 });
      expect((await response.json()) as { error: string }).toHaveProperty("error");
    }
    await drainStripeEvents();
    expect(await countRows()).toEqual({ supporters: 0, stripeCustomers: 0, gifts: 0, recurringGifts: 0, payments: 0, stripeEvents: 0 });
  });

  it("stores event types it does not handle, answers 2xx, and changes nothing else", async () => {
    const { events } = await giveOnce();
    const created = events.find((e) => e.type === "payment_intent.created")!;
    const [response] = await deliver([created]);
    await drainStripeEvents();

    expect(response!.status).toBe(200);
    const [row] = await getDb().select().from(stripeEvents).where(eq(stripeEvents.id, created.id));
    // Recorded as received, without its payload (Stripe keeps events for 30 days if we need one).
    expect(row).toMatchObject({ type: "payment_intent.created", status: "ignored", payload: null, objectId: created.data.object.id });
    expect(await countRows()).toMatchObject({ gifts: 0, payments: 0, supporters: 0, stripeEvents: 1 });
  });

  it("answers 500, writing nothing, when the event cannot be stored, so Stripe retries", async () => {
    const { events } = await giveOnce();
    const completed = events.find((e) => e.type === "checkout.session.completed")!;
    const db = getDb();
    // A real storage failure: the inbox table is briefly unavailable.
    await db.execute(sql`alter table stripe_events rename to stripe_events_away`);
    let response: Response;
    try {
      [response] = (await deliver([completed])) as [Response];
    } finally {
      await db.execute(sql`alter table stripe_events_away rename to stripe_events`);
    }
    expect(response.status).toBe(500);
    expect(await countRows()).toEqual({ supporters: 0, stripeCustomers: 0, gifts: 0, recurringGifts: 0, payments: 0, stripeEvents: 0 });

    // Stripe's retry then succeeds and the gift is recorded once.
    const [retry] = await deliver([completed]);
    expect(retry!.status).toBe(200);
    await drainStripeEvents();
    expect(await countRows()).toMatchObject({ gifts: 1, payments: 1 });
  });

  it("answers within 2 seconds while Stripe's API is slow, and records the gift once the API answers", async () => {
    const { session, events } = await giveOnce();
    const completed = events.find((e) => e.type === "checkout.session.completed")!;
    await control("POST", "/_sandbox/config", { api_latency_ms: 2500 });
    const deferred: Array<() => Promise<void>> = [];
    const started = performance.now();
    const [response] = await deliver([completed], deferred);
    const elapsed = performance.now() - started;

    expect(response!.status).toBe(200);
    expect(elapsed).toBeLessThan(2000);
    expect(await countRows()).toMatchObject({ gifts: 0, stripeEvents: 1 });
    expect(deferred).toHaveLength(1);
    await Promise.all(deferred.map((task) => task()));
    const [gift] = await getDb().select().from(gifts).where(eq(gifts.stripeCheckoutSessionId, session.id));
    expect(gift).toMatchObject({ amountMinor: 2500 });
  });

  it("applies each event once when two workers drain at the same time", async () => {
    const gifts = await Promise.all([giveOnce({ email: "a@example.org" }), giveOnce({ email: "b@example.org" }), giveOnce({ email: "a@example.org" })]);
    for (const { events } of gifts) await deliver(events);
    const results = await Promise.all([drainStripeEvents({ concurrency: 3 }), drainStripeEvents({ concurrency: 3 })]);

    const applied = results.reduce((sum, r) => sum + r.processed, 0);
    // Three completed sessions and three charge.updated events, each applied exactly once.
    expect(applied).toBe(6);
    expect(await countRows()).toMatchObject({ gifts: 3, payments: 3, supporters: 2, stripeCustomers: 3 });
    const processed = await getDb().select({ n: sql<number>`count(*)::int` }).from(stripeEvents).where(eq(stripeEvents.status, "processed"));
    expect(processed[0]!.n).toBe(6);
  });

  it("keeps an event it could not apply, retries it later, and parks it once Stripe itself would have given up", async () => {
    const { events } = await giveOnce();
    const completed = events.find((e) => e.type === "checkout.session.completed")!;
    // An event for a session Stripe does not know: every attempt to read it fails.
    const orphan = structuredClone(completed) as Stripe.CheckoutSessionCompletedEvent;
    orphan.id = "evt_1orphanAAAAAAAAAAAAAAAAAA";
    orphan.data.object.id = "cs_test_a1doesnotexist000000000000000000000000000000000000000000000";
    await deliver([orphan]);
    const first = await drainStripeEvents();

    expect(first).toEqual({ processed: 0, failed: 1 });
    const [row] = await getDb().select().from(stripeEvents).where(eq(stripeEvents.id, orphan.id));
    expect(row).toMatchObject({ status: "pending", attempts: 1, lockedUntil: null });
    expect(row!.lastError).toContain("No such checkout.session");
    // eslint-disable-next-line no-restricted-syntax -- the backoff runs on the database's real clock
    expect(row!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());

    // Not due yet: a drain leaves it alone.
    expect(await drainStripeEvents()).toEqual({ processed: 0, failed: 0 });
    // Due again: tried again, still pending.
    await getDb().update(stripeEvents).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(stripeEvents.id, orphan.id));
    expect(await drainStripeEvents()).toEqual({ processed: 0, failed: 1 });
    expect((await getDb().select().from(stripeEvents).where(eq(stripeEvents.id, orphan.id)))[0]).toMatchObject({ status: "pending", attempts: 2 });

    // Received longer ago than Stripe's own retry window: parked for a person, not tried again.
    await getDb()
      .update(stripeEvents)
      .set({ nextAttemptAt: sql`now() - interval '1 second'`, receivedAt: sql`now() - ${MAX_RETRY_AGE_HOURS + 1}::int * interval '1 hour'` })
      .where(eq(stripeEvents.id, orphan.id));
    expect(await drainStripeEvents()).toEqual({ processed: 0, failed: 0 });
    const [parked] = await getDb().select().from(stripeEvents).where(eq(stripeEvents.id, orphan.id));
    expect(parked).toMatchObject({ status: "failed", attempts: 2 });
    expect(await countRows()).toMatchObject({ gifts: 0, payments: 0 });
  });

  it("records nothing for a declined card, and one gift when the donor then pays", async () => {
    const stripe = sandboxStripe();
    const metadata = { kind: "readerfund_gift", frequency: "once", locale: "en", attempt_id: crypto.randomUUID() };
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      customer_creation: "always",
      line_items: [{ quantity: 1, price_data: { currency: "gbp", unit_amount: 2000, product_data: { name: "Gift" } } }],
      metadata,
      success_url: "http://localhost:3000/donate/thank-you?session_id={CHECKOUT_SESSION_ID}",
    });
    const marker = await lastEventId();
    const declined = await payCheckout(session.id, { card: "4000000000000002" });
    expect(declined.outcome).toBe("declined");
    await deliver(await eventsAfter(marker));
    await drainStripeEvents();
    expect(await countRows()).toMatchObject({ gifts: 0, payments: 0, supporters: 0 });

    const marker2 = await lastEventId();
    expect((await payCheckout(session.id)).outcome).toBe("succeeded");
    await deliver(await eventsAfter(marker2));
    await drainStripeEvents();
    const [payment] = await getDb().select().from(payments);
    // UK standard cards: 1.5% + 20p of £20.00.
    expect(payment).toMatchObject({ amountMinor: 2000, currency: "gbp", feeMinor: 50, netMinor: 1950 });
    expect(await countRows()).toMatchObject({ gifts: 1, payments: 1 });
  });

  it("stores concurrent deliveries once each, even the same event arriving twice at the same moment", async () => {
    const a = await giveOnce({ email: "c1@example.org" });
    const b = await giveOnce({ email: "c2@example.org" });
    const completedA = a.events.find((e) => e.type === "checkout.session.completed")!;
    const all = [...a.events, ...b.events, completedA, completedA];
    const responses = await Promise.all(all.map((event) => deliver([event]).then(([r]) => r!)));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ duplicate: boolean }>;

    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(bodies.filter((body) => !body.duplicate)).toHaveLength(a.events.length + b.events.length);
    expect(await countRows()).toMatchObject({ stripeEvents: a.events.length + b.events.length });
    await drainStripeEvents();
    expect(await countRows()).toMatchObject({ gifts: 2, payments: 2 });
  });

  it("applies the rest of a batch when one event's writes fail, and that one later", async () => {
    const good = await giveOnce({ amount: 1500, email: "good@example.org" });
    const bad = await giveOnce({ amount: 4242, email: "bad@example.org" });
    const db = getDb();
    // A real write failure for one gift only: the database refuses that amount for now.
    await db.execute(sql`alter table gifts add constraint refuse_4242 check (amount_minor <> 4242)`);
    try {
      await deliver([...good.events, ...bad.events]);
      const outcome = await drainStripeEvents();
      // The refused gift, and its charge's fee, which waits for that gift's payment.
      expect(outcome.failed).toBe(2);
      expect((await ledgerSnapshot()).gifts.map((g) => g.amountMinor)).toEqual([1500]);
      const [parked] = await db
        .select()
        .from(stripeEvents)
        .where(and(eq(stripeEvents.objectId, bad.session.id), eq(stripeEvents.type, "checkout.session.completed")));
      expect(parked).toMatchObject({ status: "pending", attempts: 1 });
      expect(parked!.lastError).toContain("refuse_4242");
      // What is kept and logged about a failure names the constraint, never the row's data.
      expect(parked!.lastError).not.toMatch(/params|@example\.org|cus_/);
    } finally {
      await db.execute(sql`alter table gifts drop constraint refuse_4242`);
    }
    await db.update(stripeEvents).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(stripeEvents.status, "pending"));
    await drainStripeEvents();
    expect((await ledgerSnapshot()).gifts.map((g) => g.amountMinor).sort()).toEqual([1500, 4242]);
    expect((await ledgerSnapshot()).payments.map((p) => p.feeMinor).sort()).toEqual([48, 89]); // 1.5% + €0.25 of €15.00 and €42.42
  });

  it("answers 500 only for an event the database refuses, not for the others written with it", async () => {
    const { events } = await giveOnce({ email: "nul@example.org" });
    const refused = structuredClone(events.find((e) => e.type === "checkout.session.completed")!);
    refused.id = "evt_1refusedAAAAAAAAAAAAAAAAA";
    const refusedBody = JSON.stringify(refused, null, 2);
    const requests = [
      ...events.map((event) => signedWebhookRequest(JSON.stringify(event, null, 2))),
      signedWebhookRequest(refusedBody),
    ];
    const db = getDb();
    // A real refusal of one row by the database, inside a write shared with the others.
    await db.execute(sql.raw(`alter table stripe_events add constraint refuse_one check (id <> '${refused.id}')`));
    let responses: Response[];
    try {
      responses = await Promise.all(requests.map((request) => webhookResponse(request)));
    } finally {
      await db.execute(sql`alter table stripe_events drop constraint refuse_one`);
    }

    expect(responses.map((r) => r.status)).toEqual([...events.map(() => 200), 500]);
    expect(await countRows()).toMatchObject({ stripeEvents: events.length });
  });

  it("refuses with 400, writing nothing, a validly signed body that is not an event it can store", async () => {
    const { events } = await giveOnce();
    const completed = events.find((e) => e.type === "checkout.session.completed")!;
    const variant = (change: (event: Record<string, unknown>) => void) => {
      const copy = structuredClone(completed) as unknown as Record<string, unknown>;
      change(copy);

      return JSON.stringify(copy);
    };
    const bodies: Array<[string, string]> = [
      ["null", "null"],
      ["a string", '"evt_1"'],
      ["an array", "[]"],
      ["an empty object", "{}"],
      ["created past any timestamp", variant((e) => (e.created = 10 ** 15))],
      ["created before 1970", variant((e) => (e.created = -1))],
      ["created as text", variant((e) => (e.created = "yesterday"))],
      ["created fractional", variant((e) => (e.created = 1.5))],
      ["a NUL in the id", variant((e) => (e.id = "evt_1\u0000x"))],
      ["a NUL in the type", variant((e) => (e.type = "checkout.session.completed\u0000"))],
      ["a type that is not one", variant((e) => (e.type = "DROP TABLE"))],
      ["a NUL in the object's id", variant((e) => ((e.data as { object: { id: string } }).object.id = "cs_\u0000"))],
      ["a NUL in the API version", variant((e) => (e.api_version = "2026\u0000"))],
      ["an id that is not an event's", variant((e) => (e.id = "cs_test_123"))],
    ];
    for (const [name, body] of bodies) {
      const response = await webhookResponse(signedWebhookRequest(body));
      expect({ name, status: response.status }).toEqual({ name, status: 400 });
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^Not a Stripe event: /);
    }
    expect(await countRows()).toEqual({ supporters: 0, stripeCustomers: 0, gifts: 0, recurringGifts: 0, payments: 0, stripeEvents: 0 });
  });

  it("records nothing for a paid Checkout Session that is not a gift (another integration on the account)", async () => {
    const stripe = sandboxStripe();
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      customer_creation: "always",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 3900, product_data: { name: "Tote bag" } } }],
      metadata: { order: "shop-123" },
      success_url: "https://shop.example/thanks",
    });
    const marker = await lastEventId();
    await payCheckout(session.id);
    await deliver(await eventsAfter(marker));
    await drainStripeEvents();

    expect(await countRows()).toMatchObject({ gifts: 0, payments: 0, supporters: 0 });
    const rows = await getDb().select({ type: stripeEvents.type, status: stripeEvents.status }).from(stripeEvents).where(eq(stripeEvents.status, "processed"));
    expect(rows).toEqual([]);
  });

  describe("when Stripe attaches the fee after the payment's events", () => {
    beforeEach(async () => {
      await control("POST", "/_sandbox/config", { balance_transaction_delay_ms: 400 });
    });
    afterEach(async () => {
      await control("POST", "/_sandbox/config", { balance_transaction_delay_ms: 0 });
    });

    const waitForChargeUpdated = async (marker: string | undefined) => {
      for (let i = 0; i < 50; i++) {
        const updated = (await eventsAfter(marker)).find((e) => e.type === "charge.updated");
        if (updated) return updated;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error("no charge.updated");
    };

    it("records the payment without a fee, then fills fee and net from charge.updated", async () => {
      const { session, events } = await giveOnce({ amount: 2000, currency: "eur" });
      expect(events.map((e) => e.type)).not.toContain("charge.updated");
      await deliver(events);
      await drainStripeEvents();
      expect((await ledgerSnapshot()).payments).toEqual([expect.objectContaining({ amountMinor: 2000, feeMinor: null, netMinor: null, gift: session.id })]);

      const updated = await waitForChargeUpdated(events.at(-1)!.id);
      await deliver([updated]);
      await drainStripeEvents();
      // 1.5% + €0.25 of €20.00.
      expect((await ledgerSnapshot()).payments).toEqual([expect.objectContaining({ feeMinor: 55, netMinor: 1945, settlementCurrency: "eur" })]);
    });

    it("keeps a fee that arrives before its payment until the payment is recorded", async () => {
      const { events } = await giveOnce({ amount: 2000, currency: "eur" });
      const updated = await waitForChargeUpdated(events.at(-1)!.id);
      await deliver([updated]);
      expect(await drainStripeEvents()).toEqual({ processed: 0, failed: 1 });
      const [waiting] = await getDb().select().from(stripeEvents).where(eq(stripeEvents.id, updated.id));
      expect(waiting).toMatchObject({ status: "pending" });
      expect(waiting!.lastError).toContain("is not recorded yet");

      await deliver(events);
      await drainStripeEvents();
      await getDb().update(stripeEvents).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(stripeEvents.id, updated.id));
      await drainStripeEvents();
      expect((await ledgerSnapshot()).payments).toEqual([expect.objectContaining({ amountMinor: 2000, feeMinor: 55, netMinor: 1945 })]);
      expect((await getDb().select().from(stripeEvents).where(eq(stripeEvents.id, updated.id)))[0]).toMatchObject({ status: "processed" });
    });
  });
});
