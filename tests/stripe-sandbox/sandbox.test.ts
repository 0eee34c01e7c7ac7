import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type StartedSandbox, startSandbox } from "../../stripe-sandbox/server";
import { testClockStart } from "../support/sandbox";

const SECRET = "whsec_sandbox_test_secret";
const verifier = new Stripe("sk_test_verifier", { telemetry: false });

type Received = { event: Stripe.Event; signature: string };

/** A webhook receiver that verifies every delivery with the SDK and can be told to fail. */
async function startReceiver() {
  const received: Received[] = [];
  const rejected: string[] = [];
  let failNext = 0;
  let delayMs = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const signature = String(req.headers["stripe-signature"] ?? "");
      try {
        const event = verifier.webhooks.constructEvent(body, signature, SECRET);
        if (failNext > 0) {
          failNext--;
          res.writeHead(500).end();

          return;
        }
        // Recorded on arrival: a delivery answered too late still arrived (and will be retried).
        received.push({ event, signature });
        const respond = () => res.writeHead(200).end("{}");
        if (delayMs > 0) setTimeout(respond, delayMs);
        else respond();
      } catch (error) {
        rejected.push((error as Error).message);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    rejected,
    failNextDeliveries: (n: number) => (failNext = n),
    delay: (ms: number) => (delayMs = ms),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let sandbox: StartedSandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let stripe: Stripe;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({
    port: 0,
    clockStart: testClockStart(),
    webhooks: { url: receiver.url, secret: SECRET, duplicate: false, shuffle: false, timeoutMs: 1500, retryBaseMs: 20, maxAttempts: 4, concurrency: 1 },
  });
  const url = new URL(sandbox.url);
  stripe = new Stripe("sk_test_sandbox_suite", { host: url.hostname, port: url.port, protocol: "http", telemetry: false, maxNetworkRetries: 0 });
});

afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

beforeEach(async () => {
  await flush();
  receiver.received.length = 0;
  receiver.rejected.length = 0;
  receiver.delay(0);
  Object.assign(sandbox.sandbox.webhooks.config, { duplicate: false, shuffle: false, url: receiver.url });
});

async function flush() {
  const response = await fetch(`${sandbox.url}/_sandbox/webhooks/flush`, { method: "POST", body: JSON.stringify({ timeout_ms: 10_000 }) });
  expect(response.status).toBe(200);
}

const sessionParams = (amount = 2500): Stripe.Checkout.SessionCreateParams => ({
  mode: "payment",
  submit_type: "donate",
  customer_creation: "always",
  line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: amount, product_data: { name: "Gift to the newsroom" } } }],
  metadata: { donation: "d1" },
  payment_intent_data: { metadata: { donation: "d1" } },
  success_url: "https://paper.example/thanks?session_id={CHECKOUT_SESSION_ID}",
  cancel_url: "https://paper.example/donate",
});

async function pay(sessionId: string, card = "4242424242424242") {
  const response = await fetch(`${sandbox.url}/_sandbox/checkout/sessions/${sessionId}/pay`, {
    method: "POST",
    body: JSON.stringify({ email: "donor@example.org", card }),
  });

  return (await response.json()) as { outcome: string; message?: string };
}

describe("Stripe stand-in API, through the real SDK", () => {
  it("creates and retrieves a Checkout Session in Stripe's shape", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    expect(created).toMatchObject({
      object: "checkout.session",
      mode: "payment",
      status: "open",
      payment_status: "unpaid",
      amount_total: 2500,
      currency: "eur",
      submit_type: "donate",
      payment_intent: null,
      livemode: false,
      metadata: { donation: "d1" },
    });
    expect(created.id).toMatch(/^cs_test_a1\w{56}$/);
    expect(created.url).toBe(`${sandbox.url}/c/pay/${created.id}`);
    expect(created.lastResponse.requestId).toMatch(/^req_/);
    const fetched = await stripe.checkout.sessions.retrieve(created.id, { expand: ["line_items"] });
    expect(fetched.line_items?.data[0]).toMatchObject({ object: "item", amount_total: 2500, description: "Gift to the newsroom" });
  });

  it("replays an idempotent request with the same parameters and refuses different ones", async () => {
    const key = `idem-${crypto.randomUUID()}`;
    const a = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: key });
    const b = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: key });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers["idempotent-replayed"]).toBe("true");
    await expect(stripe.checkout.sessions.create(sessionParams(3000), { idempotencyKey: key })).rejects.toMatchObject({
      type: "StripeIdempotencyError",
      statusCode: 400,
    });
  });

  it("answers errors in Stripe's shape and status codes", async () => {
    await expect(stripe.checkout.sessions.retrieve("cs_test_missing")).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 404,
      code: "resource_missing",
    });
    await expect(stripe.checkout.sessions.create({ ...sessionParams(), shipping_options: [{ shipping_rate: "shr_123" }] } as Stripe.Checkout.SessionCreateParams)).rejects.toMatchObject({
      statusCode: 400,
      code: "parameter_unknown",
      param: "shipping_options",
    });
    await expect(stripe.checkout.sessions.create({ ...sessionParams(), line_items: [] })).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.checkout.sessions.create(sessionParams(10))).rejects.toMatchObject({ statusCode: 400, code: "amount_too_small" });
    const url = new URL(sandbox.url);
    const badKey = new Stripe("sk_live_real_key", { host: url.hostname, port: url.port, protocol: "http", telemetry: false, maxNetworkRetries: 0 });
    await expect(badKey.checkout.sessions.create(sessionParams())).rejects.toMatchObject({ type: "StripeAuthenticationError", statusCode: 401 });
  });

  it("charges by Stripe's test cards and keeps fee and net on the balance transaction", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams(10_000));
    expect((await pay(session.id, "4000000000009995")).outcome).toBe("declined");
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    expect((await pay(session.id, "4242424242424242")).outcome).toBe("succeeded");

    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent.latest_charge.balance_transaction", "customer"] });
    expect(paid).toMatchObject({ status: "complete", payment_status: "paid", url: null });
    expect((paid.customer as Stripe.Customer).email).toBe("donor@example.org");
    const pi = paid.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ status: "succeeded", amount_received: 10_000, metadata: { donation: "d1" } });
    const charge = pi.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ status: "succeeded", paid: true, amount: 10_000, payment_intent: pi.id });
    const bt = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(bt).toMatchObject({ amount: 10_000, fee: 175, net: 9825, currency: "eur", type: "charge", source: charge.id });
    expect(await stripe.balanceTransactions.retrieve(bt.id)).toMatchObject({ fee: 175 });
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ id: charge.id });
  });

  it("refuses real and malformed card numbers before charging", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    expect(await pay(session.id, "4242424242424241")).toMatchObject({ outcome: "invalid_card", message: "Your card number is invalid." });
    expect(await pay(session.id, "4111111111111111")).toMatchObject({ outcome: "invalid_card" });
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_intent).toBeNull();
  });
});

describe("Stripe stand-in hosted checkout page", () => {
  it("shows the amount, says when a card is declined, and redirects to success_url when paid", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams(4200));
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain("€42.00");
    expect(page).toContain(">Donate</button>");
    expect(page).toContain('href="https://paper.example/donate"');

    const form = (card: string) =>
      new URLSearchParams({ email: "donor@example.org", cardNumber: card, cardExpiry: "12 / 34", cardCvc: "123", billingName: "A Reader" });
    const declined = await fetch(session.url!, { method: "POST", body: form("4000 0000 0000 0002"), redirect: "manual" });
    expect(declined.status).toBe(200);
    expect(await declined.text()).toContain("Your card was declined.");

    const paid = await fetch(session.url!, { method: "POST", body: form("4242 4242 4242 4242"), redirect: "manual" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`https://paper.example/thanks?session_id=${session.id}`);
    expect((await fetch(session.url!)).status).toBe(410);
  });

  it("asks for 3D Secure on an authentication card and charges only when it is completed", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const form = new URLSearchParams({ email: "donor@example.org", cardNumber: "4000002500003155", cardExpiry: "12/34", cardCvc: "123" });
    const challenge = await (await fetch(session.url!, { method: "POST", body: form })).text();
    expect(challenge).toContain("Complete authentication");
    const failed = await fetch(`${session.url}/authenticate`, { method: "POST", body: new URLSearchParams({ result: "fail" }), redirect: "manual" });
    expect(await failed.text()).toContain("unable to authenticate");
    await fetch(session.url!, { method: "POST", body: form });
    const done = await fetch(`${session.url}/authenticate`, { method: "POST", body: new URLSearchParams({ result: "complete" }), redirect: "manual" });
    expect(done.status).toBe(303);
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe("paid");
  });
});

describe("Stripe stand-in webhooks", () => {
  it("delivers a one-time payment's events, each signed so the SDK verifies it", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    await pay(session.id);
    await flush();

    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((r) => r.event.type)).toEqual([
      "payment_intent.created",
      "customer.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "checkout.session.completed",
      "charge.updated",
    ]);
    const completed = receiver.received.find((r) => r.event.type === "checkout.session.completed")!.event as Stripe.CheckoutSessionCompletedEvent;
    expect(completed).toMatchObject({ api_version: "2026-10-28.endive", livemode: false, request: { id: null, idempotency_key: null } });
    expect(completed.data.object).toMatchObject({ id: session.id, payment_status: "paid", status: "complete" });
    expect(await stripe.events.retrieve(completed.id)).toMatchObject({ id: completed.id, type: "checkout.session.completed", pending_webhooks: 0 });
  });

  it("retries a failed delivery with a fresh signature until it gets a 2xx", async () => {
    receiver.failNextDeliveries(2);
    const session = await stripe.checkout.sessions.create(sessionParams());
    await fetch(`${sandbox.url}/_sandbox/checkout/sessions/${session.id}/expire`, { method: "POST" });
    await flush();

    const log = (await (await fetch(`${sandbox.url}/_sandbox/webhooks/deliveries`)).json()) as { data: Array<{ type: string; attempt: number; status: number }> };
    const attempts = log.data.filter((d) => d.type === "checkout.session.expired").slice(-3);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(receiver.received.map((r) => r.event.type)).toEqual(["checkout.session.expired"]);
  });

  it("treats a slow answer as a failure and tries again", async () => {
    receiver.delay(2500);
    const session = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(session.id);
    await new Promise((resolve) => setTimeout(resolve, 150));
    receiver.delay(0);
    await flush();
    const log = (await (await fetch(`${sandbox.url}/_sandbox/webhooks/deliveries`)).json()) as { data: Array<{ event_id: string; error: string | null; ok: boolean }> };
    const expired = receiver.received.find((r) => r.event.type === "checkout.session.expired")!;
    const attempts = log.data.filter((d) => d.event_id === expired.event.id);
    expect(attempts[0]).toMatchObject({ ok: false, error: "timed out" });
    expect(attempts.at(-1)).toMatchObject({ ok: true });
  });

  it("can deliver every event twice, and shuffle the order within a burst", async () => {
    Object.assign(sandbox.sandbox.webhooks.config, { duplicate: true, shuffle: true });
    const orders = new Set<string>();
    for (let i = 0; i < 4; i++) {
      receiver.received.length = 0;
      const session = await stripe.checkout.sessions.create(sessionParams());
      await pay(session.id);
      await flush();
      const ids = receiver.received.map((r) => r.event.id);
      // At least twice each (a slow answer can add a retry: that is at-least-once too).
      const copies = new Map<string, number>();
      for (const id of ids) copies.set(id, (copies.get(id) ?? 0) + 1);
      expect(copies.size).toBe(6);
      expect([...copies.values()].every((n) => n >= 2)).toBe(true);
      orders.add(receiver.received.map((r) => r.event.type).join(","));
    }
    // 12 deliveries in random order four times: the chance of one order every time is negligible.
    expect(orders.size).toBeGreaterThan(1);
  });

  it("expires an open session when its clock passes expires_at", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    await fetch(`${sandbox.url}/_sandbox/clock`, { method: "POST", body: JSON.stringify({ seconds: 25 * 60 * 60 }) });
    await flush();
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("expired");
    expect(receiver.received.some((r) => r.event.type === "checkout.session.expired" && (r.event.data.object as { id: string }).id === session.id)).toBe(true);
  });

  it("takes a new session's expires_at by real time after the clock has moved, and expires it as the clock moves on", async () => {
    await fetch(`${sandbox.url}/_sandbox/clock`, { method: "POST", body: JSON.stringify({ seconds: 40 * 24 * 60 * 60 }) });
    // eslint-disable-next-line no-restricted-syntax -- Stripe takes expires_at by real time, whatever its clock says
    const expiresAt = Math.floor(Date.now() / 1000) + 60 * 60;
    const session = await stripe.checkout.sessions.create({ ...sessionParams(), expires_at: expiresAt });
    expect(session).toMatchObject({ status: "open", expires_at: expiresAt });
    await fetch(`${sandbox.url}/_sandbox/clock`, { method: "POST", body: JSON.stringify({ seconds: 30 * 60 }) });
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    await fetch(`${sandbox.url}/_sandbox/clock`, { method: "POST", body: JSON.stringify({ seconds: 31 * 60 }) });
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("expired");
  });

  it("delivers a renewal run by the clock, signed, every event dated at its own step", async () => {
    await stripe.products.create({ id: "webhook_gift", name: "Monthly gift" });
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 1000, product: "webhook_gift", recurring: { interval: "month" } } }],
    });
    await pay(session.id);
    const subscription = await stripe.subscriptions.retrieve((await stripe.checkout.sessions.retrieve(session.id)).subscription as string);
    const periodEnd = subscription.items.data[0]!.current_period_end;
    await flush();
    receiver.received.length = 0;
    // To the period end and past the hour after it, when the renewal's invoice is charged.
    const { now } = (await (await fetch(`${sandbox.url}/_sandbox/clock`)).json()) as { now: number };
    await fetch(`${sandbox.url}/_sandbox/clock`, { method: "POST", body: JSON.stringify({ seconds: periodEnd + 2 * 60 * 60 - now }) });
    await flush();

    expect(receiver.rejected).toEqual([]);
    const renewal = receiver.received.map((r) => r.event).filter((e) => e.type !== "checkout.session.expired");
    expect(renewal.map((e) => [e.type, e.created - periodEnd])).toEqual([
      ["customer.subscription.updated", 0],
      ["invoice.created", 0],
      ["invoice.finalized", 3600],
      ["payment_intent.created", 3600],
      ["charge.succeeded", 3600],
      ["payment_intent.succeeded", 3600],
      ["invoice.paid", 3600],
      ["invoice.payment_succeeded", 3600],
      ["invoice_payment.paid", 3600],
      ["charge.updated", 3600],
    ]);
  });

  it("runs billing steps that fall due in real time from its one-second timer", async () => {
    await stripe.products.create({ id: "timer_gift", name: "Monthly gift" });
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 1000, product: "timer_gift", recurring: { interval: "month" } } }],
    });
    await pay(session.id);
    const id = (await stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    // A second from the stand-in's now, which its timer moves on meanwhile: on a busy machine the
    // update can arrive after that second has begun, and Stripe refuses a cancel_at not in the
    // future. Asked again from the new now, never by a longer guess.
    for (let attempt = 0; ; attempt++) {
      const { now } = (await (await fetch(`${sandbox.url}/_sandbox/clock`)).json()) as { now: number };
      const refused = await stripe.subscriptions.update(id, { cancel_at: now + 1 }).then(
        () => null,
        (error: Stripe.errors.StripeError) => error,
      );
      if (refused === null) break;
      expect(refused.message).toBe("The cancel_at date must be in the future.");
      expect(attempt).toBeLessThan(20);
    }
    let status = "active";
    // Its one-second timer runs the cancellation: polled for as long as a busy machine may need.
    for (let i = 0; i < 200 && status !== "canceled"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await stripe.subscriptions.retrieve(id)).status;
    }
    expect(status).toBe("canceled");
  });
});
