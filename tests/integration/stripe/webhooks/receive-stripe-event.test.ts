import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { gifts, stripeEvents } from "@/db/schema";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { useTestDatabase } from "../../../support/database";
import { giveOnce } from "../../../support/gifts";
import { clearLedger, countRows } from "../../../support/ledger";
import { control, deliver, signedWebhookRequest, usePrivateSandbox, webhookResponse } from "../../../support/stripe";

// This file slows the stand-in's API down, so it has a stand-in of its own.
usePrivateSandbox();
const database = useTestDatabase();

describe(`receiving Stripe's events on ${database.kind}`, () => {
  beforeEach(async () => {
    await clearLedger();
    await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
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
});
