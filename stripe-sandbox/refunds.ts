import type Stripe from "stripe";
import { buildRefund } from "./billing-objects";
import { invalidRequest, noSuch } from "./errors";
import { buildMovement } from "./objects";
import { assertKnownParams, metadataParam, optionalEnum, optionalInteger, optionalString, type Params } from "./params";
import { formatAmount } from "./pages";
import { clone, type RequestContext, type Sandbox } from "./sandbox";

/**
 * Refunds, which succeed at once (cards refund synchronously in test mode): refund.created, then
 * charge.refunded with the cumulative `amount_refunded`. Each refund has its own balance
 * transaction of −amount with no fee (Stripe keeps the original fee). Refunding an invoice's
 * payment changes neither the invoice nor the subscription, as on Stripe.
 */
export class Refunds {
  private readonly refunds = new Map<string, Stripe.Refund>();

  constructor(private readonly sb: Sandbox) {}

  /** What is saved between runs (see state-file.ts). */
  snapshot() {
    return { refunds: [...this.refunds] };
  }

  restore(saved: ReturnType<Refunds["snapshot"]>): void {
    for (const [id, refund] of saved.refunds) this.refunds.set(id, refund);
  }

  lookup(id: string): object | undefined {
    return id.startsWith("re_") ? this.refunds.get(id) : undefined;
  }

  retrieve(id: string): Stripe.Refund {
    const refund = this.refunds.get(id);
    if (!refund) throw noSuch("refund", id);

    return clone(refund);
  }

  /** Newest first, as Stripe lists them. */
  list(filter: { charge?: string; payment_intent?: string; limit: number }): Stripe.Refund[] {
    const all = [...this.refunds.values()]
      .filter((r) => !filter.charge || r.charge === filter.charge)
      .filter((r) => !filter.payment_intent || r.payment_intent === filter.payment_intent)
      .reverse();

    return clone(all.slice(0, filter.limit));
  }

  create(params: Params, context: RequestContext): Stripe.Refund {
    assertKnownParams(params, ["charge", "payment_intent", "amount", "reason", "metadata", "metadata.*", "expand.*"]);
    const chargeId = optionalString(params, "charge");
    const paymentIntentId = optionalString(params, "payment_intent");
    if (chargeId === null && paymentIntentId === null) {
      throw invalidRequest("One of the following params should be provided for this request: payment_intent or charge.", undefined, "parameter_missing");
    }
    let charge: Stripe.Charge;
    if (paymentIntentId !== null) {
      const pi = this.sb.get(this.sb.paymentIntents, paymentIntentId, "payment_intent", "payment_intent");
      const latest = typeof pi.latest_charge === "string" ? this.sb.charges.get(pi.latest_charge) : undefined;
      if (pi.status !== "succeeded" || !latest) {
        throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, "payment_intent", "charge_not_refundable");
      }
      if (chargeId !== null && chargeId !== latest.id) {
        throw invalidRequest(`The charge ${chargeId} does not belong to the PaymentIntent ${pi.id}.`, "charge");
      }
      charge = latest;
    } else {
      charge = this.sb.get(this.sb.charges, chargeId!, "charge", "charge");
    }
    if (charge.status !== "succeeded") throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, "charge", "charge_not_refundable");
    if (charge.disputed && this.sb.disputes.blocksRefund(charge.id)) {
      throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, "charge", "charge_disputed");
    }
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, "charge", "charge_already_refunded");
    const amount = optionalInteger(params, "amount") ?? remaining;
    if (amount < 1) throw invalidRequest("Invalid positive integer", "amount");
    if (amount > remaining) {
      throw invalidRequest(
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
        "amount",
        "amount_too_large",
      );
    }
    const reason = optionalEnum(params, "reason", ["duplicate", "fraudulent", "requested_by_customer"] as const);
    const metadata = metadataParam(params, "metadata");

    return this.sb.inBurst(() => {
      const now = this.sb.now();
      const refund = buildRefund({ charge, amount, reason, metadata, now });
      const movement = buildMovement({
        amount: -amount,
        currency: charge.currency,
        fee: 0,
        feeDescription: "",
        description: `REFUND FOR CHARGE (${charge.description ?? charge.id})`,
        source: refund.id,
        type: "refund",
        reportingCategory: "refund",
        now,
      });
      this.sb.balanceTransactions.set(movement.id, movement);
      refund.balance_transaction = movement.id;
      this.refunds.set(refund.id, refund);
      const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
      charge.amount_refunded += amount;
      charge.refunded = charge.amount_refunded === charge.amount;
      this.sb.emit("refund.created", refund, context);
      this.sb.emit("charge.refunded", charge, context, previous);

      return clone(refund);
    });
  }
}
