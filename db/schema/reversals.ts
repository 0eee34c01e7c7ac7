import { sql } from "drizzle-orm";
import { bigint, char, check, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { payments } from "./payments";

/**
 * Money given back: one row per Stripe refund, linked to the payment it reverses. Amount is what the
 * supporter gets back (charge currency); settlement amount and net come from the refund's balance
 * transaction (negative, settlement currency; Stripe keeps the original fee, so fee is usually 0).
 * Status is Stripe's current one: only pending and succeeded refunds take money out.
 */
export const refunds = pgTable(
  "refunds",
  {
    id: uuid().primaryKey().defaultRandom(),
    paymentId: uuid()
      .notNull()
      .references(() => payments.id, { onDelete: "restrict" }),
    stripeRefundId: text().notNull().unique("refunds_stripe_refund_id_key"),
    stripeChargeId: text().notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    status: text().notNull(),
    reason: text(),
    stripeBalanceTransactionId: text(),
    settlementAmountMinor: bigint({ mode: "number" }),
    feeMinor: bigint({ mode: "number" }),
    netMinor: bigint({ mode: "number" }),
    settlementCurrency: char({ length: 3 }),
    refundedAt: timestamp({ withTimezone: true }).notNull(),
    stripeSyncedAt: timestamp({ withTimezone: true }).notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.paymentId),
    index().on(t.refundedAt),
    check("refunds_amount_positive", sql`${t.amountMinor} > 0`),
  ],
);

/**
 * A chargeback: one row per Stripe dispute, linked to the payment it contests. Its effect on our
 * balance is the sum of its balance transactions (funds withdrawn with the dispute fee, and given
 * back if won), kept as fee and net in the settlement currency; status is Stripe's current one.
 */
export const disputes = pgTable(
  "disputes",
  {
    id: uuid().primaryKey().defaultRandom(),
    paymentId: uuid()
      .notNull()
      .references(() => payments.id, { onDelete: "restrict" }),
    stripeDisputeId: text().notNull().unique("disputes_stripe_dispute_id_key"),
    stripeChargeId: text().notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    status: text().notNull(),
    reason: text(),
    evidenceDueBy: timestamp({ withTimezone: true }),
    // Sums over the dispute's balance transactions; zero until funds are withdrawn.
    settlementAmountMinor: bigint({ mode: "number" }).notNull().default(0),
    feeMinor: bigint({ mode: "number" }).notNull().default(0),
    netMinor: bigint({ mode: "number" }).notNull().default(0),
    settlementCurrency: char({ length: 3 }),
    openedAt: timestamp({ withTimezone: true }).notNull(),
    stripeSyncedAt: timestamp({ withTimezone: true }).notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.paymentId), index().on(t.openedAt)],
);

export type Refund = typeof refunds.$inferSelect;
export type Dispute = typeof disputes.$inferSelect;
