import Stripe from "stripe";
import { afterAll, beforeAll } from "vitest";
import { failureResponse, readStripeDelivery } from "@/lib/http";
import { type ReceiveOptions, receiveStripeEvent } from "@/lib/stripe/webhooks/receive-stripe-event";
import type { StartedSandbox } from "../../stripe-sandbox/server";
import { clockMoves } from "./clock";
import { SANDBOX_WEBHOOK_SECRET, startTestSandbox } from "./sandbox";

export { SANDBOX_WEBHOOK_SECRET };

/** The stand-in this test file talks to: the run's shared one, or its own (usePrivateSandbox). */
export function sandboxUrl(): string {
  const url = process.env.STRIPE_API_BASE;
  if (!url) throw new Error("STRIPE_API_BASE is not set (tests/support/setup-env.ts sets it)");

  return url;
}

/**
 * Gives the calling test file a stand-in of its own, so moving its clock (renewals, retries, period
 * ends) cannot touch another file's subscriptions, nor theirs this file's events. Call at the top
 * level before useTestDatabase(), so the app reads this stand-in's address when it first reads
 * its environment.
 */
export function usePrivateSandbox(): void {
  let started: StartedSandbox | null = null;
  beforeAll(async () => {
    started = await startTestSandbox();
    process.env.STRIPE_API_BASE = started.url;
  });
  afterAll(async () => {
    await started?.close();
  });
}

/** The real SDK pointed at the stand-in, as the app does. */
export function sandboxStripe(): Stripe {
  const url = new URL(sandboxUrl());

  return new Stripe("sk_test_readerfund_tests", { host: url.hostname, port: url.port, protocol: "http", telemetry: false, maxNetworkRetries: 0 });
}

export async function control<T = unknown>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sandboxUrl()}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`control ${method} ${path} → ${response.status}: ${JSON.stringify(json)}`);

  return json;
}

// The stand-in's clock, moved to where a subscription's own objects say (tests/support/clock.ts).
// Only for a file with a stand-in of its own (usePrivateSandbox): the clock only moves forward.
// The SDK client is made on each call, as usePrivateSandbox sets the address only in beforeAll.
const clock = () =>
  clockMoves(sandboxStripe(), {
    now: async () => (await control<{ now: number }>("GET", "/_sandbox/clock")).now,
    advance: async (seconds) => (await control<{ now: number }>("POST", "/_sandbox/clock", { seconds })).now,
  });
/** To the end of the subscription's current period: it renews (a draft invoice), or ends if set to. */
export const advanceToPeriodEnd = (subscriptionId: string) => clock().advanceToPeriodEnd(subscriptionId);
/** On by the length of the subscription's current period: "a period later", e.g. after it has ended. */
export const advanceAPeriod = (subscriptionId: string) => clock().advanceAPeriod(subscriptionId);
/** Through the subscription's next renewal: its period end, then its invoice finalized and charged. */
export const advanceToRenewal = (subscriptionId: string) => clock().advanceToRenewal(subscriptionId);
/** To Stripe's next automatic attempt at the subscription's unpaid invoice; null if none is scheduled. */
export const advanceToRetry = (subscriptionId: string) => clock().advanceToRetry(subscriptionId);
/** Through every retry Stripe has scheduled, until the invoice is paid or the attempts run out. */
export const advanceThroughRetries = (subscriptionId: string) => clock().advanceThroughRetries(subscriptionId);

/** Id of the newest event so far, to collect only what an action produces after it. */
export async function lastEventId(): Promise<string | undefined> {
  const { data } = await control<{ data: Stripe.Event[] }>("GET", "/_sandbox/events");

  return data.at(-1)?.id;
}

export async function eventsAfter(marker: string | undefined): Promise<Stripe.Event[]> {
  const { data } = await control<{ data: Stripe.Event[] }>("GET", `/_sandbox/events${marker ? `?after=${marker}` : ""}`);

  return data;
}

export async function payCheckout(sessionId: string, input: { email?: string; card?: string; name?: string } = {}) {
  return control<{ outcome: string; session: Stripe.Checkout.Session }>("POST", `/_sandbox/checkout/sessions/${sessionId}/pay`, {
    email: input.email ?? "reader@example.org",
    card: input.card ?? "4242424242424242",
    name: input.name,
  });
}

/** A webhook request signed as Stripe signs it (the SDK's own test helper). */
export function signedWebhookRequest(
  payload: string,
  options: { secret?: string; timestamp?: number; signature?: string | null } = {},
): Request {
  const header =
    options.signature === undefined
      ? sandboxStripe().webhooks.generateTestHeaderString({
          payload,
          secret: options.secret ?? SANDBOX_WEBHOOK_SECRET,
          timestamp: options.timestamp,
        })
      : options.signature;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (header !== null) headers["stripe-signature"] = header;

  return new Request("http://localhost:3000/api/stripe/webhook", { method: "POST", headers, body: payload });
}

/**
 * The webhook route's answer to a request (app/api/stripe/webhook/route.ts), with the work it
 * defers after its answer handed to `afterStore` instead of Next's `after`, which needs a request
 * of Next's own.
 */
export async function webhookResponse(request: Request, options: ReceiveOptions = { afterStore: () => {} }): Promise<Response> {
  try {
    const outcome = await receiveStripeEvent(await readStripeDelivery(request), options);

    return Response.json({ received: true, duplicate: outcome === "duplicate" });
  } catch (error) {
    return failureResponse("webhook", error);
  }
}

/**
 * Delivers events to the webhook handler as Stripe would (each signed, the body exactly as sent),
 * and returns the responses. Work the handler defers until after its response is collected in
 * `deferred`, so a test decides when the worker runs.
 */
export async function deliver(events: Stripe.Event[], deferred: Array<() => Promise<void>> = []) {
  const responses: Response[] = [];
  for (const event of events) {
    const response = await webhookResponse(signedWebhookRequest(JSON.stringify(event, null, 2)), { afterStore: (task) => deferred.push(task) });
    responses.push(response);
  }

  return responses;
}

/**
 * Set by `npm test`'s awkward-date step, which runs the billing-period suites again at each awkward
 * date: there they check what the date changes, and leave what it does not (the order and repetition
 * of deliveries, proved by the ordinary run) to the ordinary run.
 */
export const calendarPass = process.env.TEST_CALENDAR_PASS === "1";

/** Orders to deliver a set of events in, each as Stripe might: in order, reversed, shuffled, twice. */
export function deliveryOrders(events: Stripe.Event[], seed = 1): Array<{ name: string; events: Stripe.Event[] }> {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;

    return state / 2 ** 31;
  };
  const shuffle = (items: Stripe.Event[]) => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }

    return out;
  };

  // The awkward-date runs prove the calendar, not the delivery orders (the ordinary run proves those).
  if (calendarPass) return [{ name: "in order", events }];

  return [
    { name: "in order", events },
    { name: "reversed", events: [...events].reverse() },
    { name: "shuffled", events: shuffle(events) },
    { name: "shuffled with duplicates", events: shuffle([...events, ...events, ...events.slice(0, 2)]) },
  ];
}
