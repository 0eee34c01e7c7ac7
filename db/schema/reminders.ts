import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * scheduled: waiting for its date. sent: the email went into the outbox. hidden: a "don't show this
 * for a while" (or an email-less) reminder whose date has passed: there is nothing to send.
 * cancelled: the reader cancelled it. gave: the reader gave before it fell due, so it is never sent.
 */
export const reminderStatus = pgEnum("reminder_status", ["scheduled", "sent", "hidden", "cancelled", "gave"]);

/**
 * "Not ready to support today? Remind me later." The picker as the reader left it, when to come
 * back, and (only if they gave one) where to write. The address is erased once the reminder is
 * sent, cancelled or overtaken by a gift: it is kept no longer than it is needed.
 */
export const reminders = pgTable(
  "reminders",
  {
    id: uuid().primaryKey().defaultRandom(),
    // The widget's anonymous visitor id (random, kept in the reader's browser), never a person.
    visitorId: text().notNull(),
    email: text(),
    // Whether an address was given: kept after the address itself is erased, for the counts.
    emailGiven: boolean().notNull().default(false),
    // month, three_months, or hide ("don't show this for a while").
    choice: text({ enum: ["month", "three_months", "hide"] }).notNull(),
    locale: text().notNull(),
    dueAt: timestamp({ withTimezone: true }).notNull(),
    status: reminderStatus().notNull().default("scheduled"),
    frequency: text({ enum: ["once", "monthly", "annual"] }).notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    currency: text().notNull(),
    coverFee: boolean().notNull().default(false),
    articleUrl: text(),
    section: text(),
    campaign: text(),
    variant: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
    cancelledAt: timestamp({ withTimezone: true }),
    // The reader gave: before the reminder fell due (status gave) or after it reached them (status
    // stays sent). Reminded → gave is what the finance view counts as a conversion.
    gaveAt: timestamp({ withTimezone: true }),
    // The Checkout Session of the gift that converted it, for reconciliation.
    gaveCheckoutSessionId: text(),
    // That gift came through the reminder's own link (rather than from the same visitor or address).
    gaveViaLink: boolean().notNull().default(false),
  },
  (t) => [
    index().on(t.status, t.dueAt),
    index().on(t.visitorId),
    index().on(t.email),
    check("reminders_amount_positive", sql`${t.amountMinor} > 0`),
    check("reminders_currency_lower", sql`${t.currency} ~ '^[a-z]{3}$'`),
  ],
);
