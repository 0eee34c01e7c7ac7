import { sql } from "drizzle-orm";
import { bigint, char, check, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { attribution, giftFrequency } from "./gifts";
import { supporters } from "./supporters";
import { giftOptions } from "./gift-options";

/**
 * Our reading of a Stripe subscription's state, mapped exhaustively from Stripe's status and flags
 * (lib/recurring/status.ts). `unknown` is what a Stripe status we have never seen maps to: it never
 * counts as active.
 */
export const recurringGiftStatus = pgEnum("recurring_gift_status", [
  "incomplete",
  "active",
  "past_due",
  "paused",
  "cancelling",
  "ended",
  "unknown",
]);

/**
 * A monthly or annual gift: one row per Stripe subscription. Unlike a one-time gift it changes over
 * its life, so every column is a copy of Stripe's current state, re-fetched on each event and written
 * only if that read began no earlier than the one already stored (stripe_synced_at): a slow worker
 * holding an older read cannot overwrite a newer one, and the row ends as Stripe holds it whatever
 * order the events came in.
 */
export const recurringGifts = pgTable(
  "recurring_gifts",
  {
    id: uuid().primaryKey().defaultRandom(),
    supporterId: uuid().references(() => supporters.id, { onDelete: "set null" }),
    stripeSubscriptionId: text().notNull().unique("recurring_gifts_stripe_subscription_id_key"),
    stripeCustomerId: text().notNull(),
    // Known once checkout.session.completed has been seen; the thank-you page finds the gift by it.
    stripeCheckoutSessionId: text().unique("recurring_gifts_stripe_checkout_session_id_key"),
    // monthly/annual when Stripe's interval is one month or one year; null for anything else (a
    // subscription changed by hand in Stripe's dashboard), with Stripe's own values kept beside it.
    frequency: giftFrequency(),
    interval: text({ enum: ["day", "week", "month", "year"] }).notNull(),
    intervalCount: integer().notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    status: recurringGiftStatus().notNull(),
    // Why it is in that status, where Stripe says: cancellation_requested, payment_failed,
    // payment_disputed, canceled_by_retention_policy, incomplete_expired, retries_exhausted, ...
    statusReason: text(),
    stripeStatus: text().notNull(),
    cancellationFeedback: text(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    currentPeriodStart: timestamp({ withTimezone: true }),
    currentPeriodEnd: timestamp({ withTimezone: true }),
    cancelAt: timestamp({ withTimezone: true }),
    canceledAt: timestamp({ withTimezone: true }),
    endedAt: timestamp({ withTimezone: true }),
    pausedUntil: timestamp({ withTimezone: true }),
    // At risk: the latest invoice is open after this many failed attempts; Stripe tries again then.
    failedPaymentAttempts: integer().notNull().default(0),
    nextPaymentAttemptAt: timestamp({ withTimezone: true }),
    livemode: text({ enum: ["live", "test"] }).notNull(),
    // Signs this gift's "manage this gift" links with APP_SECRET; a new key voids every old link.
    manageKey: text()
      .notNull()
      .default(sql`gen_random_uuid()::text`),
    ...attribution,
    ...giftOptions,
    stripeSyncedAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.supporterId),
    index().on(t.stripeCustomerId),
    index().on(t.status),
    check("recurring_gifts_amount_nonnegative", sql`${t.amountMinor} >= 0`),
    check("recurring_gifts_currency_lower", sql`${t.currency} ~ '^[a-z]{3}$'`),
    check("recurring_gifts_frequency_recurring", sql`${t.frequency} IS NULL OR ${t.frequency} <> 'once'`),
  ],
);

/**
 * One row per failed attempt to collect a renewal (Stripe's invoice id and attempt count), as the
 * invoice.payment_failed / payment_action_required event recorded it: history, never overwritten.
 */
export const paymentFailures = pgTable(
  "payment_failures",
  {
    id: uuid().primaryKey().defaultRandom(),
    recurringGiftId: uuid()
      .notNull()
      .references(() => recurringGifts.id, { onDelete: "cascade" }),
    stripeInvoiceId: text().notNull(),
    attemptCount: integer().notNull(),
    kind: text({ enum: ["declined", "authentication_required"] }).notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    nextPaymentAttemptAt: timestamp({ withTimezone: true }),
    failedAt: timestamp({ withTimezone: true }).notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.recurringGiftId),
    // An attempt that first needed authentication and then also failed stays one row per kind.
    uniqueIndex("payment_failures_invoice_attempt_kind_key").on(t.stripeInvoiceId, t.attemptCount, t.kind),
  ],
);

export type RecurringGift = typeof recurringGifts.$inferSelect;
export type PaymentFailure = typeof paymentFailures.$inferSelect;
