import fc from "fast-check";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { rollupDifferences } from "@/lib/finance/rollup-check";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { useTestDatabase } from "../../support/database";
import { ensureGiftProducts, startRecurringGift } from "../../support/gifts";
import { clearLedger, drainUntilSettled, type LedgerSnapshot, ledgerSnapshot, makePendingDue } from "../../support/ledger";
import {
  calendarPass,
  advanceToPeriodEnd,
  advanceToRenewal,
  advanceToRetry,
  control,
  deliver,
  eventsAfter,
  sandboxStripe,
  usePrivateSandbox,
} from "../../support/stripe";

usePrivateSandbox();
const database = useTestDatabase();

/**
 * One recurring gift's eventful life: started, a renewal declined and then paid on Stripe's retry,
 * a partial refund, an amount change, another renewal, and a cancellation at the period's end.
 */
async function livelyGift(): Promise<Stripe.Event[]> {
  const stripe = sandboxStripe();
  await ensureGiftProducts();
  const { marker, subscriptionId } = await startRecurringGift({ amount: 800, currency: "gbp", email: "property@example.org", metadata: { campaign: "property" } });

  await control("POST", `/_sandbox/subscriptions/${subscriptionId}/next_renewal`, { outcome: "fail" });
  await advanceToRenewal(subscriptionId);
  await control("POST", `/_sandbox/subscriptions/${subscriptionId}/next_renewal`, { outcome: "succeed" });
  await advanceToRetry(subscriptionId);

  const invoices = await stripe.invoices.list({ subscription: subscriptionId, status: "paid", expand: ["data.payments"] });
  const firstInvoice = [...invoices.data].sort((a, b) => a.created - b.created)[0]!;
  const pi = firstInvoice.payments!.data[0]!.payment.payment_intent!;
  await stripe.refunds.create({ payment_intent: typeof pi === "string" ? pi : pi.id, amount: 300 });

  const subscription = await stripe.subscriptions.retrieve(subscriptionId);
  await stripe.subscriptions.update(subscriptionId, {
    items: [{ id: subscription.items.data[0]!.id, price_data: { currency: "gbp", product: "readerfund_gift_monthly", unit_amount: 1200, recurring: { interval: "month" } } }],
    proration_behavior: "none",
  });
  await advanceToRenewal(subscriptionId);
  await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
  await advanceToPeriodEnd(subscriptionId);

  return eventsAfter(marker);
}

describe(`recurring gift ledger on ${database.kind}`, () => {
  let events: Stripe.Event[] = [];
  let inOrder: LedgerSnapshot;

  beforeAll(async () => {
    events = await livelyGift();
    await clearLedger();
    await deliver(events);
    await drainUntilSettled();
    inOrder = await ledgerSnapshot();
  });

  it("has a rich in-order ledger to compare against", () => {
    expect(inOrder.recurringGifts).toEqual([expect.objectContaining({ status: "ended", statusReason: "cancellation_requested", amountMinor: 1200 })]);
    expect(inOrder.payments.map((p) => p.amountMinor)).toEqual(expect.arrayContaining([800, 800, 1200]));
    expect(inOrder.payments).toHaveLength(3);
    expect(inOrder.refunds).toHaveLength(1);
    expect(inOrder.paymentFailures).toHaveLength(1);
  });

  it("ends with the in-order ledger under any interleaving, duplication and timing of application", async () => {
    const n = events.length;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...events.keys()], { minLength: n, maxLength: n }),
        fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n)), { maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: n + 8, maxLength: n + 8 }),
        async (order, duplicates, applyAfter) => {
          const sequence = order.map((i) => events[i]!);
          for (const [which, at] of duplicates) sequence.splice(Math.min(at, sequence.length), 0, events[which]!);
          await clearLedger();
          for (const [index, event] of sequence.entries()) {
            const [response] = await deliver([event]);
            expect(response!.status).toBe(200);
            // Sometimes the worker runs between deliveries, sometimes it finds a backlog.
            if (applyAfter[index]) await makePendingDue().then(() => drainStripeEvents());
          }
          await drainUntilSettled();
          expect(await ledgerSnapshot()).toEqual(inOrder);
          // The finance rollups, kept by triggers through every step, end as the ledger says.
          expect(await rollupDifferences(getDb())).toEqual([]);
        },
      ),
      { numRuns: calendarPass ? 2 : 12, endOnFailure: true },
    );
  }, 300_000);
});
