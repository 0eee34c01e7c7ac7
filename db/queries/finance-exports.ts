import { and, asc, eq, getTableName, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db";
import { disputes, gifts, payments, payouts, payoutTransactions, recurringGifts, refunds } from "@/db/schema";
import { REFUND_STATUSES_THAT_COUNT } from "./account";

/**
 * Reads for the finance exports, a batch at a time in the order of their time column and id: each
 * batch starts after the last row of the one before (keyset pagination), so an export of any size
 * holds one batch in memory, on the server and on embedded PGlite alike (which has no cursors), and
 * holds no connection or transaction between batches.
 */

/**
 * Brings the planner's statistics on these tables up to date if they are stale by autovacuum's own
 * measure (more than 50 rows plus a tenth of the table changed since the last ANALYZE). Without
 * them the planner takes a period's whole range of a 200 000-row table for a hundred rows, and
 * sorts it all for each batch instead of reading the time index in order: an export then costs the
 * square of its size. A server's autovacuum keeps them fresh, save just after a bulk load; embedded
 * PGlite has no autovacuum, so there this is the only ANALYZE (about 0.7 s per 200 000 rows).
 */
export async function freshenStatistics(db: Queryable, tables: ReadonlyArray<typeof payments | typeof refunds | typeof disputes | typeof payoutTransactions>): Promise<void> {
  for (const table of tables) {
    const result = await db.execute(sql`select n_mod_since_analyze > 50 + n_live_tup / 10 as stale from pg_stat_user_tables
      where relid = ${getTableName(table)}::regclass`);
    const rows = Array.isArray(result) ? result : (result as unknown as { rows: Array<{ stale: boolean }> }).rows;
    if ((rows[0] as { stale?: boolean } | undefined)?.stale) await db.execute(sql`analyze ${table}`);
  }
}

/** Where the previous batch ended: its last row's time exactly (microseconds, UTC) and id. */
export type ExportKeyset = { at: string; id: string };

/** Instants in [start, end). */
export type ExportWindow = { start: Date; end: Date };

// Rendered by the database so no precision is lost to a JavaScript Date (milliseconds).
const exactInstant = (column: AnyPgColumn) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
// Stripe's times are whole seconds: shown as such, in the form spreadsheets and scripts read.
const isoInstant = <T extends string | null = string>(column: AnyPgColumn) => sql<T>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

function inWindowAfter(time: AnyPgColumn, id: AnyPgColumn, window: ExportWindow, after: ExportKeyset | null): SQL {
  return and(
    gte(time, window.start),
    lt(time, window.end),
    // The first condition alone lets the time index bound the scan; the row comparison breaks ties.
    after ? sql`${time} >= ${after.at}::timestamptz and (${time}, ${id}) > (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
  )!;
}

export async function paymentsExportBatch(db: Queryable, window: ExportWindow, after: ExportKeyset | null, limit: number) {
  return db
    .select({
      keyAt: exactInstant(payments.paidAt),
      id: payments.id,
      paidAt: isoInstant(payments.paidAt),
      paymentIntent: payments.stripePaymentIntentId,
      charge: payments.stripeChargeId,
      invoice: payments.stripeInvoiceId,
      balanceTransaction: payments.stripeBalanceTransactionId,
      recurringGiftId: payments.recurringGiftId,
      billingReason: payments.billingReason,
      giftFrequency: gifts.frequency,
      recurringFrequency: recurringGifts.frequency,
      interval: recurringGifts.interval,
      intervalCount: recurringGifts.intervalCount,
      amountMinor: payments.amountMinor,
      currency: payments.currency,
      settlementCurrency: payments.settlementCurrency,
      settlementAmountMinor: payments.settlementAmountMinor,
      feeMinor: payments.feeMinor,
      netMinor: payments.netMinor,
      exchangeRate: payments.exchangeRate,
      refundedMinor: sql<number>`(select coalesce(sum(${refunds.amountMinor}), 0) from ${refunds}
        where ${refunds.paymentId} = ${payments.id} and ${inArray(refunds.status, REFUND_STATUSES_THAT_COUNT)})`.mapWith(Number),
      livemode: payments.livemode,
      articleUrl: sql<string | null>`coalesce(${gifts.articleUrl}, ${recurringGifts.articleUrl})`,
      section: sql<string | null>`coalesce(${gifts.section}, ${recurringGifts.section})`,
      campaign: sql<string | null>`coalesce(${gifts.campaign}, ${recurringGifts.campaign})`,
      variant: sql<string | null>`coalesce(${gifts.variant}, ${recurringGifts.variant})`,
    })
    .from(payments)
    .leftJoin(gifts, eq(gifts.id, payments.giftId))
    .leftJoin(recurringGifts, eq(recurringGifts.id, payments.recurringGiftId))
    .where(inWindowAfter(payments.paidAt, payments.id, window, after))
    .orderBy(asc(payments.paidAt), asc(payments.id))
    .limit(limit);
}

export type PaymentExportRow = Awaited<ReturnType<typeof paymentsExportBatch>>[number];

export async function refundsExportBatch(db: Queryable, window: ExportWindow, after: ExportKeyset | null, limit: number) {
  return db
    .select({
      keyAt: exactInstant(refunds.refundedAt),
      id: refunds.id,
      refundedAt: isoInstant(refunds.refundedAt),
      refund: refunds.stripeRefundId,
      charge: refunds.stripeChargeId,
      paymentIntent: payments.stripePaymentIntentId,
      amountMinor: refunds.amountMinor,
      currency: refunds.currency,
      status: refunds.status,
      reason: refunds.reason,
      settlementCurrency: refunds.settlementCurrency,
      settlementAmountMinor: refunds.settlementAmountMinor,
      feeMinor: refunds.feeMinor,
      netMinor: refunds.netMinor,
      balanceTransaction: refunds.stripeBalanceTransactionId,
      livemode: payments.livemode,
    })
    .from(refunds)
    .innerJoin(payments, eq(payments.id, refunds.paymentId))
    .where(inWindowAfter(refunds.refundedAt, refunds.id, window, after))
    .orderBy(asc(refunds.refundedAt), asc(refunds.id))
    .limit(limit);
}

export type RefundExportRow = Awaited<ReturnType<typeof refundsExportBatch>>[number];

export async function disputesExportBatch(db: Queryable, window: ExportWindow, after: ExportKeyset | null, limit: number) {
  return db
    .select({
      keyAt: exactInstant(disputes.openedAt),
      id: disputes.id,
      openedAt: isoInstant(disputes.openedAt),
      dispute: disputes.stripeDisputeId,
      charge: disputes.stripeChargeId,
      paymentIntent: payments.stripePaymentIntentId,
      amountMinor: disputes.amountMinor,
      currency: disputes.currency,
      status: disputes.status,
      reason: disputes.reason,
      evidenceDueBy: isoInstant<string | null>(disputes.evidenceDueBy),
      settlementCurrency: disputes.settlementCurrency,
      settlementAmountMinor: disputes.settlementAmountMinor,
      feeMinor: disputes.feeMinor,
      netMinor: disputes.netMinor,
      livemode: payments.livemode,
    })
    .from(disputes)
    .innerJoin(payments, eq(payments.id, disputes.paymentId))
    .where(inWindowAfter(disputes.openedAt, disputes.id, window, after))
    .orderBy(asc(disputes.openedAt), asc(disputes.id))
    .limit(limit);
}

export type DisputeExportRow = Awaited<ReturnType<typeof disputesExportBatch>>[number];

/**
 * Every line the payouts of the window carried (by the payout's arrival date, a day, at midnight
 * UTC), with the payout beside it and the ledger's payment, refund or dispute it was matched to;
 * in the order Stripe created the lines.
 */
export async function payoutLinesExportBatch(db: Queryable, window: ExportWindow, after: ExportKeyset | null, limit: number) {
  return db
    .select({
      keyAt: exactInstant(payoutTransactions.createdAtStripe),
      id: payoutTransactions.id,
      arrivalDate: payouts.arrivalDate,
      payout: payouts.stripePayoutId,
      payoutAmountMinor: payouts.amountMinor,
      payoutCurrency: payouts.currency,
      payoutStatus: payouts.status,
      balanceTransaction: payoutTransactions.stripeBalanceTransactionId,
      createdAt: isoInstant(payoutTransactions.createdAtStripe),
      type: payoutTransactions.type,
      reportingCategory: payoutTransactions.reportingCategory,
      source: payoutTransactions.sourceId,
      amountMinor: payoutTransactions.amountMinor,
      feeMinor: payoutTransactions.feeMinor,
      netMinor: payoutTransactions.netMinor,
      currency: payoutTransactions.currency,
      paymentIntent: payments.stripePaymentIntentId,
      refund: refunds.stripeRefundId,
      dispute: disputes.stripeDisputeId,
      livemode: payouts.livemode,
    })
    .from(payoutTransactions)
    .innerJoin(payouts, eq(payouts.id, payoutTransactions.payoutId))
    .leftJoin(payments, eq(payments.id, payoutTransactions.paymentId))
    .leftJoin(refunds, eq(refunds.id, payoutTransactions.refundId))
    .leftJoin(disputes, eq(disputes.id, payoutTransactions.disputeId))
    .where(
      and(
        sql`${payouts.arrivalDate} >= ${window.start.toISOString().slice(0, 10)}::date and ${payouts.arrivalDate} < ${window.end.toISOString().slice(0, 10)}::date`,
        after
          ? sql`(${payoutTransactions.createdAtStripe}, ${payoutTransactions.id}) > (${after.at}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(payoutTransactions.createdAtStripe), asc(payoutTransactions.id))
    .limit(limit);
}

export type PayoutLineExportRow = Awaited<ReturnType<typeof payoutLinesExportBatch>>[number];
