import type Stripe from "stripe";
import { databaseNow } from "@/db/queries/clock";
import { type PayoutTransactionFacts, recordPayout } from "@/lib/finance/record-payout";
import type { EventHandler } from "./event-handler";

type PayoutEvent =
  | Stripe.PayoutCreatedEvent
  | Stripe.PayoutUpdatedEvent
  | Stripe.PayoutPaidEvent
  | Stripe.PayoutFailedEvent
  | Stripe.PayoutCanceledEvent
  | Stripe.PayoutReconciliationCompletedEvent;

const idOf = (value: string | { id: string } | null): string | null => (value === null ? null : typeof value === "string" ? value : value.id);

/** The UTC day a Stripe date names (arrival dates are midnight UTC), as YYYY-MM-DD. */
const utcDay = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

/**
 * payout.*: money on its way to, or in, the newsroom's bank. Each event re-reads the payout; once
 * Stripe says it is paid, lists every balance transaction it carried (Stripe lists them by payout
 * only for automatic payouts) so that finance can match them with our payments, refunds and
 * disputes (lib/finance/payouts.ts). Nothing waits for the ledger: lines are linked to our rows
 * whichever comes first (db/migrations/0006_payouts.sql), and a line our ledger never gets is what
 * reconciliation is there to show.
 */
export const onPayout: EventHandler<PayoutEvent> = async (event, { stripe }) => {
  const syncedAt = await databaseNow();
  const payout = await stripe.payouts.retrieve(event.data.object.id);
  let listed: { lines: PayoutTransactionFacts[]; complete: boolean } | null = null;
  if (payout.status === "paid" && payout.automatic) {
    const lines: PayoutTransactionFacts[] = [];
    for await (const bt of stripe.balanceTransactions.list({ payout: payout.id, limit: 100 })) {
      lines.push({
        stripeBalanceTransactionId: bt.id,
        type: bt.type,
        reportingCategory: bt.reporting_category ?? null,
        sourceId: idOf(bt.source),
        amountMinor: bt.amount,
        feeMinor: bt.fee,
        netMinor: bt.net,
        currency: bt.currency,
        createdAtStripe: new Date(bt.created * 1000),
      });
    }
    listed = { lines, complete: payout.reconciliation_status === "completed" };
  }
  const facts = {
    stripePayoutId: payout.id,
    amountMinor: payout.amount,
    currency: payout.currency,
    status: payout.status,
    arrivalDate: utcDay(payout.arrival_date),
    createdAtStripe: new Date(payout.created * 1000),
    automatic: payout.automatic,
    livemode: payout.livemode ? ("live" as const) : ("test" as const),
    stripeBalanceTransactionId: idOf(payout.balance_transaction),
    syncedAt,
  };

  return (tx) => recordPayout(tx, facts, listed);
};
