import type Stripe from "stripe";
import { databaseNow } from "@/db/queries/clock";
import { type RefundFacts, upsertRefund } from "@/lib/gifts/record-reversals";
import { isGiftCharge, paymentIdForCharge } from "./charge-ownership";
import type { EventHandler } from "./event-handler";
import { NotYetApplicable } from "./not-yet-applicable";

type RefundEvent =
  | Stripe.ChargeRefundedEvent
  | Stripe.ChargeRefundUpdatedEvent
  | Stripe.RefundCreatedEvent
  | Stripe.RefundUpdatedEvent
  | Stripe.RefundFailedEvent;

function chargeOf(event: RefundEvent): string | null {
  if (event.type === "charge.refunded") return event.data.object.id;
  const charge = event.data.object.charge;

  return charge === null ? null : typeof charge === "string" ? charge : charge.id;
}

/**
 * charge.refunded, refund.* and charge.refund.updated: money given back on a gift's payment. Any of
 * them re-reads every refund of the charge, so a full refund after a partial one, or a refund that
 * later fails, ends as Stripe holds it. A refund of a payment we have not recorded yet waits for it.
 */
export const onRefund: EventHandler<RefundEvent> = async (event, { stripe }) => {
  const chargeId = chargeOf(event);
  if (chargeId === null) return null;
  if (!(await isGiftCharge(stripe, chargeId))) return null;
  const syncedAt = await databaseNow();
  const facts: RefundFacts[] = [];
  for await (const refund of stripe.refunds.list({ charge: chargeId, limit: 100, expand: ["data.balance_transaction"] })) {
    const bt = refund.balance_transaction;
    const settled = bt !== null && typeof bt !== "string" ? bt : null;
    facts.push({
      stripeRefundId: refund.id,
      stripeChargeId: chargeId,
      amountMinor: refund.amount,
      currency: refund.currency,
      status: refund.status ?? "pending",
      reason: refund.reason,
      stripeBalanceTransactionId: settled?.id ?? null,
      settlementAmountMinor: settled?.amount ?? null,
      feeMinor: settled?.fee ?? null,
      netMinor: settled?.net ?? null,
      settlementCurrency: settled?.currency ?? null,
      refundedAt: new Date(refund.created * 1000),
      syncedAt,
    });
  }
  if (facts.length === 0) return null;

  return async (tx) => {
    const paymentId = await paymentIdForCharge(tx, chargeId);
    if (paymentId === null) throw new NotYetApplicable(`payment for refunded charge ${chargeId} is not recorded yet`);
    for (const refund of facts) await upsertRefund(tx, paymentId, refund);
  };
};
