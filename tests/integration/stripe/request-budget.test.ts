import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { payments, stripeEvents } from "@/db/schema";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { budgetSlots } from "@/lib/stripe/request-budget";
import { useTestDatabase } from "../../support/database";
import { ensureGiftProducts, giveOnce } from "../../support/gifts";
import { drainUntilSettled } from "../../support/ledger";
import { control, deliver, usePrivateSandbox } from "../../support/stripe";

// Before the app reads its environment: a budget small enough to be reached, under a stand-in that
// refuses what passes Stripe's limit as Stripe does.
const BUDGET = 4;
const STRIPE_LIMIT = BUDGET + 2;
process.env.STRIPE_WORKER_REQUESTS_PER_SECOND = String(BUDGET);
usePrivateSandbox();
const database = useTestDatabase();

type Requests = { reads: number; writes: number; rate_limited: number; peak_per_second: number };

describe(`the workers' Stripe request budget on ${database.kind}`, () => {
  beforeAll(async () => {
    await ensureGiftProducts();
  });
  afterAll(async () => {
    await control("POST", "/_sandbox/config", { rate_limit_per_second: 0 });
  });

  it("keeps two workers draining a burst at once within one shared budget: Stripe refuses none of their reads", async () => {
    const GIFTS = 10;
    const events = [];
    for (let i = 0; i < GIFTS; i++) events.push(...(await giveOnce({ email: `budget-${i}@example.org`, amount: 1000 + i })).events);
    // Stripe's limit a little above the budget, as the default budgets are (80 of 100, 20 of 25): a
    // second of real time may see the budget, plus a slot's share admitted at one slot's end and
    // arriving with the next's.
    await control("POST", "/_sandbox/config", { rate_limit_per_second: STRIPE_LIMIT });
    const before = await control<Requests>("GET", "/_sandbox/requests");
    for (const response of await deliver(events)) expect(response.status).toBe(200);

    // Two workers at once, each reading four events at a time: eight reads would be in flight
    // together without the budget, and Stripe would refuse most of each second's.
    await Promise.all([drainStripeEvents({ concurrency: 4 }), drainStripeEvents({ concurrency: 4 })]);
    await drainUntilSettled();

    const after = await control<Requests>("GET", "/_sandbox/requests");
    const reads = after.reads - before.reads;
    expect(after.rate_limited - before.rate_limited, "requests Stripe refused for its rate limit").toBe(0);
    // At most about one read per event, and every gift recorded once.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(events.length);
    const recorded = await getDb().select({ amount: payments.amountMinor }).from(payments);
    expect(recorded.map((p) => p.amount).sort()).toEqual(Array.from({ length: GIFTS }, (_, i) => 1000 + i));
    const inbox = await getDb().select({ status: stripeEvents.status }).from(stripeEvents);
    expect(inbox.filter((e) => e.status === "pending" || e.status === "failed")).toEqual([]);
  }, 120_000);
});

describe("the budget's slots", () => {
  it("hold a tenth of the budget each, or one request each under ten a second, never more than the budget in a second", () => {
    expect(budgetSlots(80)).toEqual({ slotMs: 100, perSlot: 8 });
    expect(budgetSlots(20)).toEqual({ slotMs: 100, perSlot: 2 });
    expect(budgetSlots(4)).toEqual({ slotMs: 250, perSlot: 1 });
    expect(budgetSlots(1)).toEqual({ slotMs: 1000, perSlot: 1 });
    // Rounded down to what ten equal slots can hold: 25 allows 20, never 30.
    expect(budgetSlots(25)).toEqual({ slotMs: 100, perSlot: 2 });
    for (const budget of [1, 3, 4, 7, 9, 10, 15, 25, 80, 100, 10_000]) {
      const { slotMs, perSlot } = budgetSlots(budget);
      expect((1000 / slotMs) * perSlot).toBeLessThanOrEqual(budget);
    }
  });
});
