import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { stripeEvents } from "@/db/schema";
import { drainStripeEvents, processClaimedBatch } from "@/lib/stripe/webhooks/apply-events";
import { MAX_RETRY_AGE_HOURS, claimDueEvents } from "@/lib/stripe/webhooks/inbox-leases";
import { useTestDatabase } from "../../../support/database";
import { giveOnce, storedGift } from "../../../support/gifts";
import { clearLedger, countRows } from "../../../support/ledger";
import { control, deliver, usePrivateSandbox } from "../../../support/stripe";
import { sleep, until } from "../../../support/wait";

// This file slows the stand-in's API down, so it has a stand-in of its own.
usePrivateSandbox();
const database = useTestDatabase();

const leaseOf = async (eventId: string) =>
  (
    await getDb()
      .select({ attempts: stripeEvents.attempts, status: stripeEvents.status, lockedUntil: stripeEvents.lockedUntil, aheadMs: sql<number>`(extract(epoch from locked_until - now()) * 1000)::int` })
      .from(stripeEvents)
      .where(eq(stripeEvents.id, eventId))
  )[0]!;

beforeEach(async () => {
  await clearLedger();
  await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
});

describe(`webhook leases on ${database.kind}`, () => {
  it("leaves a dead worker's claim for its lease, a minute, and no longer", async () => {
    const { completed } = await storedGift();
    // A worker claims the event, then dies: it never applies, releases or renews it.
    const [claimed] = await claimDueEvents(10);
    expect(claimed!.id).toBe(completed.id);
    const lease = await leaseOf(completed.id);
    expect(lease.aheadMs).toBeGreaterThan(55_000);
    expect(lease.aheadMs).toBeLessThanOrEqual(60_000);
    expect(await drainStripeEvents()).toEqual({ processed: 0, failed: 0 });

    // A dead claim on a short lease, to see it run out in real time.
    await getDb().update(stripeEvents).set({ lockedUntil: null }).where(eq(stripeEvents.id, completed.id));
    await claimDueEvents(10, { leaseSeconds: 2 });
    expect(await drainStripeEvents()).toEqual({ processed: 0, failed: 0 });
    await until(async () => (await leaseOf(completed.id)).aheadMs < 0, "the lease to run out");
    expect(await drainStripeEvents()).toEqual({ processed: 1, failed: 0 });
    expect(await leaseOf(completed.id)).toMatchObject({ status: "processed", attempts: 3 });
  });

  it("keeps the claim of a batch whose Stripe reads outlast its lease: no other worker takes it over mid-way", async () => {
    const { completed } = await storedGift();
    const leaseSeconds = 3;
    // Each Stripe read takes longer than the whole lease.
    await control("POST", "/_sandbox/config", { api_latency_ms: 4000 });
    const claimed = await claimDueEvents(10, { leaseSeconds });
    const working = processClaimedBatch(claimed, { leaseSeconds });
    let finished = false;
    void working.finally(() => (finished = true));
    const started = Date.now();
    // Another worker keeps trying, past the first lease's end, until the first one is done.
    const takenOver: string[] = [];
    while (!finished) {
      takenOver.push(...(await claimDueEvents(10, { leaseSeconds })).map((row) => row.id));
      await sleep(250);
    }
    // eslint-disable-next-line no-restricted-syntax -- real time elapsed: the lease runs on the database's real clock
    expect(Date.now() - started).toBeGreaterThan(leaseSeconds * 1000);
    expect(takenOver).toEqual([]);
    expect(await working).toEqual({ processed: 1, failed: 0 });
    expect(await leaseOf(completed.id)).toMatchObject({ status: "processed", attempts: 1 });
  });

  it("renews only the claims it still holds: one another worker took over after a lapse is left to that worker", async () => {
    const { completed } = await storedGift();
    const leaseSeconds = 3;
    await control("POST", "/_sandbox/config", { api_latency_ms: 4000 });
    const working = processClaimedBatch(await claimDueEvents(10, { leaseSeconds }), { leaseSeconds });
    // The first worker's lease lapses (it stalled), and a second worker claims the event for longer.
    await getDb().update(stripeEvents).set({ lockedUntil: sql`now() - interval '1 second'` }).where(eq(stripeEvents.id, completed.id));
    const [second] = await claimDueEvents(10, { leaseSeconds: 600 });
    expect(second).toMatchObject({ id: completed.id, attempts: 2 });
    const secondLease = (await leaseOf(completed.id)).lockedUntil!.getTime();
    // Past two of the first worker's renewals (every second), the lease is still the second worker's.
    await sleep(2500);
    expect((await leaseOf(completed.id)).lockedUntil!.getTime()).toBe(secondLease);
    await working;
    await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
    // Whichever commits first applies it; the other finds it applied (exactly once either way).
    await processClaimedBatch([second!]);
    expect(await leaseOf(completed.id)).toMatchObject({ status: "processed" });
  });
});

describe(`webhook retries on ${database.kind}`, () => {
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
});
