import Stripe from "stripe";
import { expect } from "vitest";
import { type StartedSandbox, startSandbox } from "../../stripe-sandbox/server";
import { clockMoves } from "./clock";
import { testClockStart } from "./sandbox";

export const HOUR = 3600;
export const DAY = 24 * HOUR;
export const PRODUCT = "gift_monthly";

/**
 * A stand-in of the test's own (its clock is moved by months), reached through the real SDK and the
 * control API, with the product PRODUCT. Webhooks go nowhere: events are read back from the control
 * API in emission order. Its clock starts at TEST_CLOCK_START (real time if unset), and is moved to
 * where the objects say (advanceToRenewal, advanceTo) rather than by a number of days.
 */
export type StandIn = Awaited<ReturnType<typeof startStandIn>>;

export async function startStandIn() {
  const started: StartedSandbox = await startSandbox({
    port: 0,
    clockStart: testClockStart(),
    webhooks: { url: null, secret: "whsec_billing_suite", duplicate: false, shuffle: false, timeoutMs: 1000, retryBaseMs: 10, maxAttempts: 1, concurrency: 1 },
  });
  const url = new URL(started.url);
  const stripe = new Stripe("sk_test_billing_suite", { host: url.hostname, port: url.port, protocol: "http", telemetry: false, maxNetworkRetries: 0 });

  /** A control API call; answers status and JSON. */
  async function call<T = Record<string, unknown>>(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${started.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

    return { status: response.status, body: (await response.json()) as T };
  }

  /** A control API call that must succeed. */
  async function control<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
    const { status, body: json } = await call<T>("POST", path, body);
    expect(status, JSON.stringify(json)).toBe(200);

    return json;
  }

  async function events(after?: string): Promise<Stripe.Event[]> {
    const { body } = await call<{ data: Stripe.Event[] }>("GET", `/_sandbox/events${after ? `?after=${after}` : ""}`);

    return body.data;
  }

  async function marker(): Promise<string | undefined> {
    return (await events()).at(-1)?.id;
  }

  async function now(): Promise<number> {
    return (await call<{ now: number }>("GET", "/_sandbox/clock")).body.now;
  }

  async function advance(seconds: number): Promise<number> {
    return (await control<{ now: number }>("/_sandbox/clock", { seconds })).now;
  }

  /** A subscription started as a supporter starts one: Checkout in subscription mode, paid by card. */
  async function subscribe(options: { amount?: number; interval?: "month" | "year"; card?: string; metadata?: Record<string, string>; authentication?: "complete" } = {}) {
    const metadata = options.metadata ?? { gift: "g1" };
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [
        {
          quantity: 1,
          price_data: { currency: "eur", unit_amount: options.amount ?? 1000, product: PRODUCT, recurring: { interval: options.interval ?? "month" } },
        },
      ],
      metadata,
      subscription_data: { metadata, description: "Monthly gift" },
      success_url: "https://paper.example/thanks?session_id={CHECKOUT_SESSION_ID}",
      cancel_url: "https://paper.example/give",
    });
    const paid = await control<{ outcome: string }>(`/_sandbox/checkout/sessions/${session.id}/pay`, {
      email: "reader@example.org",
      card: options.card ?? "4242424242424242",
      ...(options.authentication ? { authentication: options.authentication } : {}),
    });
    expect(paid.outcome).toBe("succeeded");
    const completed = await stripe.checkout.sessions.retrieve(session.id);
    const subscription = await stripe.subscriptions.retrieve(completed.subscription as string);

    return { session: completed, subscription, invoiceId: completed.invoice as string };
  }

  await stripe.products.create({ id: PRODUCT, name: "Monthly gift" });

  return { started, url: started.url, stripe, call, control, events, marker, ...clockMoves(stripe, { now, advance }), subscribe, close: () => started.close() };
}

export const types = (events: Stripe.Event[]) => events.map((e) => e.type);

/** The data.object of the only event of a type (fails if there is not exactly one). */
export function only<T = Record<string, unknown>>(events: Stripe.Event[], type: string): { event: Stripe.Event; object: T } {
  const matching = events.filter((e) => e.type === type);
  expect(matching, `one ${type}`).toHaveLength(1);

  return { event: matching[0]!, object: matching[0]!.data.object as T };
}

/**
 * `unix` plus `months` calendar months in UTC, the day kept where the month has it and else the
 * month's last (31 Jan → 28 Feb): where Stripe's monthly and yearly periods end, counted from the
 * billing cycle anchor. The tests' own reckoning, to check the stand-in's against.
 */
export function monthsAfter(unix: number, months: number): number {
  const date = new Date(unix * 1000);
  const [year, month] = [date.getUTCFullYear(), date.getUTCMonth() + months];
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

  return Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()) / 1000;
}

export const ofType = <T = Record<string, unknown>>(events: Stripe.Event[], type: string) =>
  events.filter((e) => e.type === type).map((e) => e.data.object as T);

/** A renewed subscription's charges, oldest first, found as the app finds them (invoice payments). */
export async function chargesOf(s: StandIn, subscriptionId: string): Promise<Stripe.Charge[]> {
  const invoices = await s.stripe.invoices.list({ subscription: subscriptionId, status: "paid", expand: ["data.payments"] });
  const charges: Stripe.Charge[] = [];
  for (const invoice of [...invoices.data].reverse()) {
    const pi = invoice.payments!.data[0]!.payment.payment_intent as string;
    charges.push((await s.stripe.paymentIntents.retrieve(pi, { expand: ["latest_charge"] })).latest_charge as Stripe.Charge);
  }

  return charges;
}
