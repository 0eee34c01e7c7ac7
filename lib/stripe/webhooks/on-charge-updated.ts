import type Stripe from "stripe";
import { recordPaymentSettlement } from "@/lib/gifts/record-gift";
import type { EventHandler } from "./event-handler";
import { isGiftCharge } from "./charge-ownership";
import { NotYetApplicable } from "./not-yet-applicable";
import { settlementOf } from "./settlement";

/**
 * charge.updated: Stripe attaches a charge's balance transaction (its fee and net), sometimes after
 * the payment's own events. We fill fee and net on the payment if it has none. If the payment is not
 * in the ledger yet, the event waits and is retried, so a fee learnt early is never lost.
 */
export const onChargeUpdated: EventHandler<Stripe.ChargeUpdatedEvent> = async (event, { stripe }) => {
  const snapshot = event.data.object;
  if (snapshot.status !== "succeeded" || snapshot.balance_transaction === null) return null;
  const charge = await stripe.charges.retrieve(snapshot.id, { expand: ["balance_transaction", "payment_intent"] });
  if (!(await isGiftCharge(stripe, charge))) return null;
  const settlement = settlementOf(charge);
  if (settlement === null) return null;

  return async (tx) => {
    const outcome = await recordPaymentSettlement(tx, charge.id, settlement);
    if (outcome === "no-payment") throw new NotYetApplicable(`payment for charge ${charge.id} is not recorded yet`);
  };
};
