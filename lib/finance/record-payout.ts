import { eq, sql } from "drizzle-orm";
import type { Transaction } from "@/db";
import { payoutTransactions, payouts } from "@/db/schema";

export type PayoutFacts = {
  stripePayoutId: string;
  amountMinor: number;
  currency: string;
  status: string;
  arrivalDate: string;
  createdAtStripe: Date;
  automatic: boolean;
  livemode: "live" | "test";
  stripeBalanceTransactionId: string | null;
  syncedAt: Date;
};

export type PayoutTransactionFacts = {
  stripeBalanceTransactionId: string;
  type: string;
  reportingCategory: string | null;
  sourceId: string | null;
  amountMinor: number;
  feeMinor: number;
  netMinor: number;
  currency: string;
  createdAtStripe: Date;
};

/**
 * A payout as Stripe holds it now, and, once listed, what it carried. The payout's row is written
 * only by a read that began no earlier than the stored one, so a slow worker's older read cannot
 * take a paid payout back to in transit. Its lines are added whatever the read's age: a balance
 * transaction never changes and belongs to one payout, so every listing of it is right, and a
 * listing taken before Stripe finished can only lack lines that a later one adds.
 * `complete` says the listing was taken once Stripe had finished (reconciliation completed).
 */
export async function recordPayout(tx: Transaction, facts: PayoutFacts, listed: { lines: PayoutTransactionFacts[]; complete: boolean } | null): Promise<void> {
  const { syncedAt, ...rest } = facts;
  await tx
    .insert(payouts)
    .values({ ...rest, stripeSyncedAt: syncedAt })
    .onConflictDoUpdate({
      target: payouts.stripePayoutId,
      set: {
        amountMinor: sql`excluded.amount_minor`,
        status: sql`excluded.status`,
        arrivalDate: sql`excluded.arrival_date`,
        stripeBalanceTransactionId: sql`coalesce(excluded.stripe_balance_transaction_id, ${payouts.stripeBalanceTransactionId})`,
        stripeSyncedAt: sql`excluded.stripe_synced_at`,
      },
      setWhere: sql`excluded.stripe_synced_at >= ${payouts.stripeSyncedAt}`,
    });
  if (listed === null) return;
  const [payout] = await tx.select({ id: payouts.id }).from(payouts).where(eq(payouts.stripePayoutId, facts.stripePayoutId));
  if (listed.lines.length > 0) {
    await tx
      .insert(payoutTransactions)
      .values(listed.lines.map((line) => ({ payoutId: payout!.id, ...line })))
      .onConflictDoNothing({ target: [payoutTransactions.payoutId, payoutTransactions.stripeBalanceTransactionId] });
  }
  if (listed.complete) {
    // The first complete listing is when the payout became reconcilable; a redelivery keeps it.
    await tx
      .update(payouts)
      .set({ reconciledAt: sql`coalesce(${payouts.reconciledAt}, ${syncedAt.toISOString()}::timestamptz)` })
      .where(eq(payouts.id, payout!.id));
  }
}
