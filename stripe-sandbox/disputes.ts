import type Stripe from "stripe";
import { buildDispute } from "./billing-objects";
import { invalidRequest, noSuch } from "./errors";
import { buildMovement } from "./objects";
import { AUTOMATIC, clone, type Sandbox } from "./sandbox";

/** Stripe's dispute fee, charged when funds are withdrawn and given back if the dispute is won. */
export const DISPUTE_FEE_MAJOR_UNITS = 15;

export const DISPUTE_REASONS = [
  "bank_cannot_process",
  "credit_not_processed",
  "customer_initiated",
  "debit_not_authorized",
  "duplicate",
  "fraudulent",
  "general",
  "incorrect_account_details",
  "insufficient_funds",
  "product_not_received",
  "product_unacceptable",
  "subscription_canceled",
  "unrecognized",
] as const;

function disputeFee(currency: string): number {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;

  return DISPUTE_FEE_MAJOR_UNITS * 10 ** digits;
}

/**
 * Chargebacks, opened and closed through the control API (on Stripe the cardholder's bank opens
 * them and the network decides them). Opening: charge.dispute.created, then
 * charge.dispute.funds_withdrawn with a balance transaction of −amount and the dispute fee.
 * Closing: charge.dispute.updated (under_review), charge.dispute.closed, and if won
 * charge.dispute.funds_reinstated giving back the amount and the fee.
 */
export class Disputes {
  private readonly disputes = new Map<string, Stripe.Dispute>();

  constructor(private readonly sb: Sandbox) {}

  /** What is saved between runs (see state-file.ts). */
  snapshot() {
    return { disputes: [...this.disputes] };
  }

  restore(saved: ReturnType<Disputes["snapshot"]>): void {
    for (const [id, dispute] of saved.disputes) this.disputes.set(id, dispute);
  }

  lookup(id: string): object | undefined {
    return id.startsWith("dp_") ? this.disputes.get(id) : undefined;
  }

  retrieve(id: string): Stripe.Dispute {
    const dispute = this.disputes.get(id);
    if (!dispute) throw noSuch("dispute", id);

    return clone(dispute);
  }

  list(filter: { charge?: string; payment_intent?: string; limit: number }): Stripe.Dispute[] {
    const all = [...this.disputes.values()]
      .filter((d) => !filter.charge || d.charge === filter.charge)
      .filter((d) => !filter.payment_intent || d.payment_intent === filter.payment_intent)
      .reverse();

    return clone(all.slice(0, filter.limit));
  }

  /** A charge under an open or lost dispute cannot be refunded. */
  blocksRefund(chargeId: string): boolean {
    return [...this.disputes.values()].some((d) => d.charge === chargeId && d.status !== "won");
  }

  open(chargeId: string, input: { reason?: string; amount?: number }): Stripe.Dispute {
    const charge = this.sb.get(this.sb.charges, chargeId, "charge", "charge");
    if (charge.status !== "succeeded") throw invalidRequest(`Charge ${chargeId} did not succeed and cannot be disputed.`, "charge");
    if (charge.disputed) throw invalidRequest(`Charge ${chargeId} is already disputed.`, "charge");
    const disputable = charge.amount - charge.amount_refunded;
    if (disputable <= 0) throw invalidRequest(`Charge ${chargeId} has been refunded in full.`, "charge");
    const amount = input.amount ?? disputable;
    if (!Number.isInteger(amount) || amount < 1 || amount > disputable) {
      throw invalidRequest(`amount must be a whole number from 1 to ${disputable}.`, "amount");
    }
    const reason = input.reason ?? "general";
    if (!(DISPUTE_REASONS as readonly string[]).includes(reason)) {
      throw invalidRequest(`reason must be one of ${DISPUTE_REASONS.join(", ")}.`, "reason");
    }

    return this.sb.inBurst(() => {
      const now = this.sb.now();
      const dispute = buildDispute({ charge, amount, reason, now });
      this.disputes.set(dispute.id, dispute);
      charge.disputed = true;
      this.sb.emit("charge.dispute.created", dispute, AUTOMATIC);
      const fee = disputeFee(charge.currency);
      const withdrawal = buildMovement({
        amount: -amount,
        currency: charge.currency,
        fee,
        feeDescription: "Dispute fee",
        description: `Chargeback withdrawal for ${charge.id}`,
        source: dispute.id,
        type: "adjustment",
        reportingCategory: "dispute",
        now,
      });
      this.sb.balanceTransactions.set(withdrawal.id, withdrawal);
      dispute.balance_transactions.push(withdrawal);
      this.sb.emit("charge.dispute.funds_withdrawn", dispute, AUTOMATIC);

      return clone(dispute);
    });
  }

  close(id: string, outcome: "won" | "lost"): Stripe.Dispute {
    const dispute = this.disputes.get(id);
    if (!dispute) throw noSuch("dispute", id);
    if (dispute.status === "won" || dispute.status === "lost") throw invalidRequest(`Dispute ${id} is already closed (${dispute.status}).`, "dispute");

    return this.sb.inBurst(() => {
      const now = this.sb.now();
      const before = dispute.status;
      dispute.status = "under_review";
      dispute.evidence_details.has_evidence = true;
      dispute.evidence_details.submission_count = 1;
      dispute.evidence_details.submission_method = "manual";
      this.sb.emit("charge.dispute.updated", dispute, AUTOMATIC, { status: before });
      dispute.status = outcome;
      this.sb.emit("charge.dispute.closed", dispute, AUTOMATIC, { status: "under_review" });
      if (outcome === "won") {
        const fee = disputeFee(dispute.currency);
        const reinstatement = buildMovement({
          amount: dispute.amount,
          currency: dispute.currency,
          fee: -fee,
          feeDescription: "Dispute fee refund",
          description: `Chargeback reversal for ${dispute.charge as string}`,
          source: dispute.id,
          type: "adjustment",
          reportingCategory: "dispute_reversal",
          now,
        });
        this.sb.balanceTransactions.set(reinstatement.id, reinstatement);
        dispute.balance_transactions.push(reinstatement);
        this.sb.emit("charge.dispute.funds_reinstated", dispute, AUTOMATIC);
      }

      return clone(dispute);
    });
  }
}
