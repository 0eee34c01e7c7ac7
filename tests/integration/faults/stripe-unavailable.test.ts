import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { POST as postCheckout } from "@/app/api/checkout/route";
import { rawQuery } from "@/db";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { someClient } from "../../support/clients";
import { useTestDatabase } from "../../support/database";
import { giveOnce } from "../../support/gifts";
import { clearLedger, drainUntilSettled, makePendingDue } from "../../support/ledger";
import { control, deliver, sandboxStripe, usePrivateSandbox } from "../../support/stripe";
import { until } from "../../support/wait";

// Read when the app first reads its environment: Continue waits this long for Stripe.
process.env.STRIPE_CHECKOUT_DEADLINE_MS = "1500";
// This file makes its stand-in slow and failing: a stand-in of its own.
usePrivateSandbox();
useTestDatabase();

const gift = () => ({ frequency: "once", currency: "eur", amount: "25", attemptId: randomUUID(), locale: "en" });
const checkout = (body: unknown) =>
  postCheckout(new Request("http://localhost:3000/api/checkout", { method: "POST", headers: { "content-type": "application/json", ...someClient() }, body: JSON.stringify(body) }));
async function sessionsFor(attemptId: string) {
  return (await sandboxStripe().checkout.sessions.list({ limit: 100 })).data.filter((session) => session.metadata?.attempt_id === attemptId);
}
const faults = (value: { status: number; every?: number; methods?: string }) => control("POST", "/_sandbox/config", { api_faults: value });

afterEach(async () => {
  await control("POST", "/_sandbox/config", { api_latency_ms: 0, api_faults: { status: 0 } });
});

describe("Continue while Stripe is slow, failing or rate limiting us", () => {
  it("answers 503 with Retry-After at its deadline when Stripe is slow, and the reader's retry gets the session the slow request made, not a second", async () => {
    await control("POST", "/_sandbox/config", { api_latency_ms: 4000 });
    const body = gift();
    const slow = await checkout(body);
    // The deadline (1.5 s) answered before Stripe did: the stand-in, still sleeping its 4 s on that
    // request (a listing asked with the latency off is answered at once), has made no session yet.
    await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
    expect(await sessionsFor(body.attemptId)).toHaveLength(0);
    expect(slow.status).toBe(503);
    expect(slow.headers.get("retry-after")).toBe("5");
    expect(await slow.json()).toEqual({
      error: { code: "STRIPE_UNAVAILABLE", message: "Our payment provider is slow to answer just now. Nothing was charged; please try again in a few seconds." },
    });

    // The slow request still reaches Stripe; once Stripe is back to normal the reader tries again.
    await until(async () => (await sessionsFor(body.attemptId)).length === 1, "the slow request's session", 10_000);
    const retry = await checkout(body);
    expect(retry.status).toBe(200);
    const [session] = await sessionsFor(body.attemptId);
    expect(((await retry.json()) as { url: string }).url).toContain(session!.id);
    expect(await sessionsFor(body.attemptId)).toHaveLength(1);
  });

  it.each([
    { status: 500, what: "failing" },
    { status: 503, what: "unavailable" },
    { status: 429, what: "rate limiting us" },
  ])("answers 503 with Retry-After and creates nothing while Stripe is $what, and a session once it is back", async ({ status }) => {
    await faults({ status, every: 1, methods: "POST" });
    const body = gift();
    const refused = await checkout(body);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: "STRIPE_UNAVAILABLE",
      message: "We could not reach our payment provider. Nothing was charged; please try again.",
    });
    expect(await sessionsFor(body.attemptId)).toHaveLength(0);

    await faults({ status: 0 });
    const retry = await checkout(body);
    expect(retry.status).toBe(200);
    expect(await sessionsFor(body.attemptId)).toHaveLength(1);
  });

  it("rides through Stripe failing every other request (the SDK's retries, the same idempotency key): one session", async () => {
    // The first request fails, its retry goes through.
    const writesBefore = (await control<{ reads: number; writes: number }>("GET", "/_sandbox/requests")).writes;
    await faults({ status: 500, every: 2, methods: "POST" });
    const body = gift();
    const answer = await checkout(body);
    expect(answer.status).toBe(200);
    const requests = await control<{ reads: number; writes: number }>("GET", "/_sandbox/requests");
    await faults({ status: 0 });
    expect(await sessionsFor(body.attemptId)).toHaveLength(1);
    // Stripe was asked twice: the failure, then its retry.
    expect(requests.writes - writesBefore).toBe(2);
  });
});

describe("applying webhooks while Stripe's reads fail", () => {
  it.each([
    { status: 429, what: "rate limited" },
    { status: 500, what: "failing" },
  ])("keeps the events waiting, not parked, while every read is $what, and the ledger converges once Stripe is back", async ({ status }) => {
    await clearLedger();
    const { events } = await giveOnce({ amount: 3100, email: "slow-stripe@example.org" });
    await faults({ status, every: 1, methods: "GET" });
    await deliver(events);
    await drainStripeEvents();
    const waiting = await rawQuery<{ status: string; attempts: number; last_error: string | null }>("select status, attempts, last_error from stripe_events where status <> 'ignored'", []);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((event) => event.status === "pending")).toBe(true);
    expect(waiting.some((event) => event.attempts > 0 && event.last_error !== null)).toBe(true);
    expect(await rawQuery("select count(*)::int as n from payments", [])).toEqual([{ n: 0 }]);

    await faults({ status: 0 });
    await makePendingDue();
    await drainUntilSettled();
    const payments = await rawQuery<{ amount_minor: number }>("select amount_minor from payments", []);
    expect(payments.map((row) => Number(row.amount_minor))).toEqual([3100]);
  });
});
