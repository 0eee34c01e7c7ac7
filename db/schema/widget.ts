import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * A campaign: the picker's settings for the pages that name it (`data-campaign`), with `default`
 * for every other page. Presets are per frequency and currency, in minor units, one suggested;
 * copy overrides the message files' headline and appeal per language. Read on every picker render,
 * so a change here shows on the next article view, on every instance.
 */
export const campaigns = pgTable("campaigns", {
  slug: text().primaryKey(),
  name: text().notNull(),
  // { once: { eur: { amounts: [1000, 2500], suggested: 2500 }, ... }, monthly: {...}, annual: {...} }
  presets: jsonb().notNull(),
  // { en: { headline, appeal }, ru: { headline, appeal } }; a language or field left out falls back to the message files.
  copy: jsonb().notNull().default({}),
  active: boolean().notNull().default(true),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

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

/**
 * Counters for rate limits, shared by every app instance (rate-limiter-flexible's Drizzle store:
 * the column names are the library's). Keys hold only salted, daily-rotating hashes of IP
 * addresses and emails, and rows expire within a day.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text().primaryKey(),
    points: integer().notNull().default(0),
    expire: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.expire)],
);

/** Proof-of-work solutions already spent, so one solved challenge buys one request. */
export const spentChallenges = pgTable(
  "spent_challenges",
  {
    signature: text().primaryKey(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.expiresAt)],
);

/** What the reader chose besides the amount, kept on one-time and recurring gifts alike. */
export const giftOptions = {
  // Part of the amount the reader added to cover the processing fee (0 when they did not).
  feeCoveredMinor: bigint({ mode: "number" }).notNull().default(0),
  // Given discreetly: a neutral card descriptor, no email unless asked, no address kept by us.
  discreet: boolean().notNull().default(false),
  // The reminder that brought the reader back, when there was one.
  reminderId: uuid(),
};
