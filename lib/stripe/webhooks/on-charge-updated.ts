import type Stripe from "stripe";
import { recordPaymentSettlement } from "@/lib/gifts/record-gift";
import type { EventHandler } from "./handlers";
import { settlementOf } from "./settlement";

/**
 * charge.updated: Stripe attaches a charge's balance transaction (its fee and net) to the charge,
 * sometimes after the payment events. If the payment is already in the ledger without a fee, we
 * fill it in; if not, the payment's own handler will read the fee when it records it.
 */
export const onChargeUpdated: EventHandler<Stripe.ChargeUpdatedEvent> = async (event, { stripe }) => {
  const snapshot = event.data.object;
  if (snapshot.status !== "succeeded" || snapshot.balance_transaction === null) return null;
  const charge = await stripe.charges.retrieve(snapshot.id, { expand: ["balance_transaction"] });
  const settlement = settlementOf(charge);
  if (settlement === null) return null;

  return (tx) => recordPaymentSettlement(tx, charge.id, settlement);
};
