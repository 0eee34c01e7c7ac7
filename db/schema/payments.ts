import { sql } from "drizzle-orm";
import { bigint, char, check, index, numeric, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { gifts } from "./gifts";
import { recurringGifts } from "./recurring-gifts";
import { supporters } from "./supporters";

/**
 * Money actually received: one row per successful charge, unique on every Stripe id it carries.
 * Gross is what the supporter paid (amount/currency). Fee and net come from the charge's balance
 * transaction and are in the settlement currency, which can differ from the charge currency.
 * A payment belongs to a one-time gift (its Checkout Session) or to a recurring gift (one paid
 * invoice of its subscription, with the service period it pays for), never both.
 */
export const payments = pgTable(
  "payments",
  {
    id: uuid().primaryKey().defaultRandom(),
    giftId: uuid().references(() => gifts.id, { onDelete: "restrict" }),
    recurringGiftId: uuid().references(() => recurringGifts.id, { onDelete: "restrict" }),
    supporterId: uuid().references(() => supporters.id, { onDelete: "set null" }),
    stripePaymentIntentId: text().notNull().unique("payments_stripe_payment_intent_id_key"),
    stripeChargeId: text().notNull().unique("payments_stripe_charge_id_key"),
    stripeBalanceTransactionId: text().unique("payments_stripe_balance_transaction_id_key"),
    stripeInvoiceId: text().unique("payments_stripe_invoice_id_key"),
    // subscription_create, subscription_cycle, subscription_update, ... for invoice payments.
    billingReason: text(),
    periodStart: timestamp({ withTimezone: true }),
    periodEnd: timestamp({ withTimezone: true }),
    amountMinor: bigint({ mode: "number" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    settlementAmountMinor: bigint({ mode: "number" }),
    feeMinor: bigint({ mode: "number" }),
    netMinor: bigint({ mode: "number" }),
    settlementCurrency: char({ length: 3 }),
    // Stripe's decimal exchange rate as given; numeric keeps it exact.
    exchangeRate: numeric(),
    livemode: text({ enum: ["live", "test"] }).notNull(),
    paidAt: timestamp({ withTimezone: true }).notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.giftId),
    index().on(t.recurringGiftId),
    index().on(t.supporterId),
    index().on(t.paidAt),
    check("payments_amount_positive", sql`${t.amountMinor} > 0`),
    check("payments_currency_lower", sql`${t.currency} ~ '^[a-z]{3}$'`),
    check("payments_one_gift", sql`num_nonnulls(${t.giftId}, ${t.recurringGiftId}) = 1`),
    check("payments_invoice_is_recurring", sql`(${t.stripeInvoiceId} IS NULL) = (${t.recurringGiftId} IS NULL)`),
    // Fee and net arrive together from one balance transaction, or not at all yet.
    check(
      "payments_settlement_complete",
      sql`(${t.feeMinor} IS NULL AND ${t.netMinor} IS NULL AND ${t.settlementAmountMinor} IS NULL AND ${t.settlementCurrency} IS NULL)
        OR (${t.feeMinor} IS NOT NULL AND ${t.netMinor} IS NOT NULL AND ${t.settlementAmountMinor} IS NOT NULL AND ${t.settlementCurrency} IS NOT NULL
            AND ${t.netMinor} = ${t.settlementAmountMinor} - ${t.feeMinor})`,
    ),
  ],
);

export type Payment = typeof payments.$inferSelect;
