import { sql } from "drizzle-orm";
import type { Transaction } from "@/db";
import { disputes, refunds } from "@/db/schema";

export type RefundFacts = {
  stripeRefundId: string;
  stripeChargeId: string;
  amountMinor: number;
  currency: string;
  status: string;
  reason: string | null;
  stripeBalanceTransactionId: string | null;
  settlementAmountMinor: number | null;
  feeMinor: number | null;
  netMinor: number | null;
  settlementCurrency: string | null;
  refundedAt: Date;
  syncedAt: Date;
};

/**
 * A refund as Stripe holds it now; a later read wins, whatever order the writes land in. A refund
 * that has finished (succeeded, failed, cancelled) never goes back to pending: that could only be a
 * stale read, and it would count money that was never given back, or stop counting money that was.
 */
export async function upsertRefund(tx: Transaction, paymentId: string, facts: RefundFacts): Promise<void> {
  const { syncedAt, ...rest } = facts;
  await tx
    .insert(refunds)
    .values({ paymentId, ...rest, stripeSyncedAt: syncedAt })
    .onConflictDoUpdate({
      target: refunds.stripeRefundId,
      set: {
        status: sql`excluded.status`,
        reason: sql`excluded.reason`,
        stripeBalanceTransactionId: sql`coalesce(excluded.stripe_balance_transaction_id, ${refunds.stripeBalanceTransactionId})`,
        settlementAmountMinor: sql`coalesce(excluded.settlement_amount_minor, ${refunds.settlementAmountMinor})`,
        feeMinor: sql`coalesce(excluded.fee_minor, ${refunds.feeMinor})`,
        netMinor: sql`coalesce(excluded.net_minor, ${refunds.netMinor})`,
        settlementCurrency: sql`coalesce(excluded.settlement_currency, ${refunds.settlementCurrency})`,
        stripeSyncedAt: sql`excluded.stripe_synced_at`,
      },
      setWhere: sql`excluded.stripe_synced_at >= ${refunds.stripeSyncedAt}
        and not (${refunds.status} in ('succeeded', 'failed', 'canceled') and excluded.status in ('pending', 'requires_action'))`,
    });
}

export type DisputeFacts = {
  stripeDisputeId: string;
  stripeChargeId: string;
  amountMinor: number;
  currency: string;
  status: string;
  reason: string | null;
  evidenceDueBy: Date | null;
  settlementAmountMinor: number;
  feeMinor: number;
  netMinor: number;
  settlementCurrency: string | null;
  openedAt: Date;
  syncedAt: Date;
};

/** A dispute as Stripe holds it now, with the sum of its balance transactions; a later read wins. */
export async function upsertDispute(tx: Transaction, paymentId: string, facts: DisputeFacts): Promise<void> {
  const { syncedAt, ...rest } = facts;
  await tx
    .insert(disputes)
    .values({ paymentId, ...rest, stripeSyncedAt: syncedAt })
    .onConflictDoUpdate({
      target: disputes.stripeDisputeId,
      set: {
        amountMinor: sql`excluded.amount_minor`,
        status: sql`excluded.status`,
        reason: sql`excluded.reason`,
        evidenceDueBy: sql`excluded.evidence_due_by`,
        settlementAmountMinor: sql`excluded.settlement_amount_minor`,
        feeMinor: sql`excluded.fee_minor`,
        netMinor: sql`excluded.net_minor`,
        settlementCurrency: sql`excluded.settlement_currency`,
        stripeSyncedAt: sql`excluded.stripe_synced_at`,
      },
      setWhere: sql`excluded.stripe_synced_at >= ${disputes.stripeSyncedAt}`,
    });
}
