import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { stripeEvents } from "@/db/schema";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { useTestDatabase } from "../../../support/database";
import { giveOnce } from "../../../support/gifts";
import { clearLedger, countRows, drainUntilSettled, ledgerSnapshot } from "../../../support/ledger";
import { control, deliver, deliveryOrders } from "../../../support/stripe";

const database = useTestDatabase();

describe(`applying stored events on ${database.kind}`, () => {
  beforeEach(async () => {
    await clearLedger();
    await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
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

  it("applies each event once when two workers drain at the same time", async () => {
    const gifts = await Promise.all([giveOnce({ email: "a@example.org" }), giveOnce({ email: "b@example.org" }), giveOnce({ email: "a@example.org" })]);
    for (const { events } of gifts) await deliver(events);
    const results = await Promise.all([drainStripeEvents({ concurrency: 3 }), drainStripeEvents({ concurrency: 3 })]);

    const applied = results.reduce((sum, r) => sum + r.processed, 0);
    const putBack = results.reduce((sum, r) => sum + r.failed, 0);
    // Three completed sessions and three charge.updated events, none applied twice. A charge.updated
    // one worker reads while the other's batch holds its payment uncommitted waits for it (put back,
    // not applied): settled here, so the ledger below is whole whichever way the two raced.
    expect(applied + putBack).toBe(6);
    await drainUntilSettled();
    expect(await countRows()).toMatchObject({ gifts: 3, payments: 3, supporters: 2, stripeCustomers: 3 });
    const processed = await getDb().select({ n: sql<number>`count(*)::int` }).from(stripeEvents).where(eq(stripeEvents.status, "processed"));
    expect(processed[0]!.n).toBe(6);
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
});
