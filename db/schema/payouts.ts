import { sql } from "drizzle-orm";
import { bigint, boolean, char, check, date, index, integer, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { payments } from "./payments";
import { disputes, refunds } from "./reversals";

/**
 * Money Stripe sent to the newsroom's bank: one row per Stripe payout, a copy of Stripe's current
 * state. Like a recurring gift it changes over its life (pending, in transit, paid, or failed), so
 * it is re-read on each event and written only by a read that began no earlier than the stored one
 * (stripe_synced_at). Arrival date is Stripe's, as the UTC day it names.
 */
export const payouts = pgTable(
  "payouts",
  {
    id: uuid().primaryKey().defaultRandom(),
    stripePayoutId: text().notNull().unique("payouts_stripe_payout_id_key"),
    amountMinor: bigint({ mode: "number" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    status: text().notNull(),
    arrivalDate: date({ mode: "string" }).notNull(),
    createdAtStripe: timestamp({ withTimezone: true }).notNull(),
    automatic: boolean().notNull(),
    livemode: text({ enum: ["live", "test"] }).notNull(),
    // The payout's own balance transaction (type payout, −amount); not one of what it carried.
    stripeBalanceTransactionId: text(),
    // When we recorded what it carried from a read where Stripe had finished listing it
    // (reconciliation_status completed); null until then.
    reconciledAt: timestamp({ withTimezone: true }),
    stripeSyncedAt: timestamp({ withTimezone: true }).notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    // What it carried (its lines but its own), their net and those our ledger does not account for
    // to the cent: kept by triggers (db/migrations/0008_finance_speed.sql) as lines, payments,
    // refunds and disputes are written, so /finance reads a payout's lines only when it may not reconcile.
    linesCount: integer().notNull().default(0),
    linesNetMinor: bigint({ mode: "number" }).notNull().default(0),
    unmatchedLinesCount: integer().notNull().default(0),
  },
  (t) => [index().on(t.arrivalDate), check("payouts_currency_lower", sql`${t.currency} ~ '^[a-z]{3}$'`)],
);

/**
 * What a payout carried: one row per balance transaction Stripe lists for it (its own included),
 * as Stripe gives it. A balance transaction never changes and is in one payout at most, so rows are
 * only added. The links to our payment, refund or dispute are kept by triggers
 * (db/migrations/0006_payouts.sql) whichever is written first, so a payout recorded before the
 * gift it paid out still ends linked to it; null means our ledger does not have it.
 */
export const payoutTransactions = pgTable(
  "payout_transactions",
  {
    id: uuid().primaryKey().defaultRandom(),
    payoutId: uuid()
      .notNull()
      .references(() => payouts.id, { onDelete: "cascade" }),
    stripeBalanceTransactionId: text().notNull(),
    // Stripe's type (charge, refund, adjustment, payout, ...) and reporting category (dispute, ...).
    type: text().notNull(),
    reportingCategory: text(),
    // ch_/py_ for a payment, re_ for a refund, du_ (or the charge) for a dispute, po_ for a payout.
    sourceId: text(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    feeMinor: bigint({ mode: "number" }).notNull(),
    netMinor: bigint({ mode: "number" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    createdAtStripe: timestamp({ withTimezone: true }).notNull(),
    paymentId: uuid().references(() => payments.id, { onDelete: "set null" }),
    refundId: uuid().references(() => refunds.id, { onDelete: "set null" }),
    disputeId: uuid().references(() => disputes.id, { onDelete: "set null" }),
    // Kept by triggers: the payout's own balance transaction (not carried), and whether our ledger
    // accounts for this line's net to the cent (lib/finance/payouts.ts says why when it does not).
    own: boolean().notNull().default(false),
    matched: boolean().notNull().default(false),
  },
  (t) => [
    unique("payout_transactions_payout_balance_transaction_key").on(t.payoutId, t.stripeBalanceTransactionId),
    index().on(t.sourceId),
    index().on(t.paymentId),
    index().on(t.refundId),
    index().on(t.disputeId),
  ],
);

export type Payout = typeof payouts.$inferSelect;
export type PayoutTransaction = typeof payoutTransactions.$inferSelect;
