import type Stripe from "stripe";
import { databaseNow } from "@/db/queries/clock";
import { upsertDispute } from "@/lib/gifts/record-reversals";
import { isGiftCharge, paymentIdForCharge } from "./charge-ownership";
import type { EventHandler } from "./event-handler";
import { NotYetApplicable } from "./not-yet-applicable";

type DisputeEvent =
  | Stripe.ChargeDisputeCreatedEvent
  | Stripe.ChargeDisputeUpdatedEvent
  | Stripe.ChargeDisputeClosedEvent
  | Stripe.ChargeDisputeFundsWithdrawnEvent
  | Stripe.ChargeDisputeFundsReinstatedEvent;

/**
 * charge.dispute.*: a supporter's bank contests a gift's payment. Each event re-reads the dispute,
 * whose balance transactions say what it has cost so far (the amount and Stripe's dispute fee
 * withdrawn, given back if we win); the row keeps their sum and Stripe's current status.
 */
export const onDispute: EventHandler<DisputeEvent> = async (event, { stripe }) => {
  const syncedAt = await databaseNow();
  const dispute = await stripe.disputes.retrieve(event.data.object.id);
  const chargeId = typeof dispute.charge === "string" ? dispute.charge : dispute.charge.id;
  if (!(await isGiftCharge(stripe, chargeId))) return null;
  let settlementAmountMinor = 0;
  let feeMinor = 0;
  let netMinor = 0;
  for (const bt of dispute.balance_transactions) {
    settlementAmountMinor += bt.amount;
    feeMinor += bt.fee;
    netMinor += bt.net;
  }
  const facts = {
    stripeDisputeId: dispute.id,
    stripeChargeId: chargeId,
    amountMinor: dispute.amount,
    currency: dispute.currency,
    status: dispute.status,
    reason: dispute.reason,
    evidenceDueBy: dispute.evidence_details?.due_by ? new Date(dispute.evidence_details.due_by * 1000) : null,
    settlementAmountMinor,
    feeMinor,
    netMinor,
    settlementCurrency: dispute.balance_transactions[0]?.currency ?? null,
    openedAt: new Date(dispute.created * 1000),
    syncedAt,
  };

  return async (tx) => {
    const paymentId = await paymentIdForCharge(tx, chargeId);
    if (paymentId === null) throw new NotYetApplicable(`payment for disputed charge ${chargeId} is not recorded yet`);
    await upsertDispute(tx, paymentId, facts);
  };
};
