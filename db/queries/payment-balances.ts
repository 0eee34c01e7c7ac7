import { asc, eq, inArray, sql } from "drizzle-orm";
import { getDb, type Queryable } from "@/db";
import { disputes, payments, refunds } from "@/db/schema";
import { REFUND_STATUSES_THAT_COUNT } from "./account";

/**
 * Each payment with what has been reversed since: refunds (amount given back, and their effect on
 * our balance) and disputes (the amount and dispute fee withdrawn, less anything reinstated). Net
 * after reversals is what the payment is finally worth to the newsroom, in the settlement currency.
 */
export async function paymentBalances(db: Queryable = getDb()) {
  const refundTotals = db
    .select({
      paymentId: refunds.paymentId,
      refundedMinor: sql<number>`sum(${refunds.amountMinor})`.mapWith(Number).as("refunded_minor"),
      refundNetMinor: sql<number>`sum(coalesce(${refunds.netMinor}, 0))`.mapWith(Number).as("refund_net_minor"),
    })
    .from(refunds)
    .where(inArray(refunds.status, REFUND_STATUSES_THAT_COUNT))
    .groupBy(refunds.paymentId)
    .as("refund_totals");
  const disputeTotals = db
    .select({
      paymentId: disputes.paymentId,
      disputeNetMinor: sql<number>`sum(${disputes.netMinor})`.mapWith(Number).as("dispute_net_minor"),
    })
    .from(disputes)
    .groupBy(disputes.paymentId)
    .as("dispute_totals");

  return db
    .select({
      stripeChargeId: payments.stripeChargeId,
      currency: payments.currency,
      grossMinor: payments.amountMinor,
      settlementCurrency: payments.settlementCurrency,
      feeMinor: payments.feeMinor,
      netMinor: payments.netMinor,
      refundedMinor: sql<number>`coalesce(${refundTotals.refundedMinor}, 0)`.mapWith(Number),
      refundNetMinor: sql<number>`coalesce(${refundTotals.refundNetMinor}, 0)`.mapWith(Number),
      disputeNetMinor: sql<number>`coalesce(${disputeTotals.disputeNetMinor}, 0)`.mapWith(Number),
      netAfterReversalsMinor: sql<number | null>`${payments.netMinor} + coalesce(${refundTotals.refundNetMinor}, 0) + coalesce(${disputeTotals.disputeNetMinor}, 0)`.mapWith(
        (v: unknown) => (v === null ? null : Number(v)),
      ),
    })
    .from(payments)
    .leftJoin(refundTotals, eq(refundTotals.paymentId, payments.id))
    .leftJoin(disputeTotals, eq(disputeTotals.paymentId, payments.id))
    .orderBy(asc(payments.paidAt), asc(payments.stripeChargeId));
}
