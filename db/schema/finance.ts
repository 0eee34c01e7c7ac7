import { bigint, char, date, index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Staff: who may read the newsroom's money (`finance`) and who may also run the house (`admin`:
 * staff, tokens, campaigns). Keyed by the lower-cased address they sign in with, the same email
 * link as supporters. The addresses in ADMIN_EMAILS are admins without a row (the first admins,
 * and a way back in); a row is granted and revoked by an admin in the app.
 */
export const staffRole = pgEnum("staff_role", ["finance", "admin"]);

export const staffMembers = pgTable("staff_members", {
  email: text().primaryKey(),
  role: staffRole().notNull(),
  grantedBy: text().notNull(),
  grantedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Every staff action: who, what, when, from which page. Written in the action's own transaction where it has one. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid().primaryKey().defaultRandom(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actorEmail: text().notNull(),
    actorRole: text().notNull(),
    action: text().notNull(),
    target: text(),
    page: text(),
    details: jsonb().$type<Record<string, string | number | boolean | null>>().notNull().default({}),
  },
  (t) => [index().on(t.at), index().on(t.actorEmail, t.at)],
);

/**
 * Bearer tokens for accounting tools (GET /api/finance/summary). The token is shown once; only its
 * SHA-256 is kept (it is 32 random bytes, so a slow hash would add nothing), with its first
 * characters to tell tokens apart in the list.
 */
export const financeApiTokens = pgTable("finance_api_tokens", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  tokenHash: text().notNull().unique("finance_api_tokens_token_hash_key"),
  prefix: text().notNull(),
  createdBy: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp({ withTimezone: true }),
  revokedAt: timestamp({ withTimezone: true }),
  revokedBy: text(),
});

// The rollups below are written only by triggers on payments, refunds, disputes, recurring_gifts,
// payment_failures and reminders (db/migrations/0005_finance.sql, 0008_finance_speed.sql), in the
// transaction that writes the fact: each change subtracts the old row's contribution and adds the new
// one's, so they equal a recomputation from the ledger whatever the order or repetition of webhooks
// (lib/finance/rollup-check.ts recomputes them).
const counter = () => bigint({ mode: "number" }).notNull().default(0);

/**
 * Money by UTC day of the fact (a payment's paid_at, a refund's refunded_at, a dispute's
 * opened_at), charge currency, one-time or recurring, and settlement currency ('' until the
 * balance transaction is known). Gross and refunded amounts are in the charge currency; fees and
 * nets in the settlement currency (refund and dispute nets are negative, as Stripe's are).
 * Recovered: the payments (on their day, with their amount) of invoices that also have a failed
 * attempt in payment_failures, whichever was recorded first.
 */
export const financeDaily = pgTable(
  "finance_daily",
  {
    livemode: text({ enum: ["live", "test"] }).notNull(),
    day: date({ mode: "string" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    kind: text({ enum: ["once", "recurring"] }).notNull(),
    settlementCurrency: text().notNull(),
    paymentsCount: counter(),
    firstPaymentsCount: counter(),
    grossMinor: counter(),
    settledCount: counter(),
    settlementGrossMinor: counter(),
    feeMinor: counter(),
    netMinor: counter(),
    refundsCount: counter(),
    refundedMinor: counter(),
    refundFeeMinor: counter(),
    refundNetMinor: counter(),
    disputesCount: counter(),
    disputedMinor: counter(),
    disputesOpenCount: counter(),
    disputesWonCount: counter(),
    disputesLostCount: counter(),
    disputeFeeMinor: counter(),
    disputeNetMinor: counter(),
    recoveredCount: counter(),
    recoveredMinor: counter(),
  },
  (t) => [primaryKey({ columns: [t.livemode, t.day, t.currency, t.kind, t.settlementCurrency] })],
);

/** The dimensions a gift is attributed by (DIMENSIONS in lib/finance/attribution.ts): each has rows of its own. */
const attributionDimensions = ["article", "section", "campaign", "variant"] as const;

/**
 * What each article, section, campaign and variant brought in, by UTC day and by month (grain), in
 * the charge currency: a period's figures read whole months from the monthly rows and the days at
 * its edges from the daily ones. One row per dimension and its key (the article's URL, the section,
 * the campaign, "campaign / variant"; '' when the gift has none), so a period of one dimension is a
 * range of the primary key holding that dimension's keys alone.
 */
export const financeAttribution = pgTable(
  "finance_attribution",
  {
    livemode: text({ enum: ["live", "test"] }).notNull(),
    dimension: text({ enum: attributionDimensions }).notNull(),
    grain: text({ enum: ["day", "month"] }).notNull(),
    period: date({ mode: "string" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    key: text().notNull(),
    paymentsCount: counter(),
    giftsCount: counter(),
    grossMinor: counter(),
    refundsCount: counter(),
    refundedMinor: counter(),
    disputesCount: counter(),
    disputedMinor: counter(),
  },
  // A key's rows over a period by the primary key; a block's largest keys by revenue by the index
  // (lib/finance/attribution.ts: the top keys of a long period without adding up every key).
  (t) => [primaryKey({ columns: [t.livemode, t.dimension, t.currency, t.key, t.grain, t.period] }), index("finance_attribution_by_gross").on(t.livemode, t.dimension, t.grain, t.period, t.grossMinor.desc())],
);

/**
 * The recurring gifts each article, section, campaign and variant started, by the same dimensions,
 * keys and grains, and how many of them ended within twelve months of their start (retention). A
 * table of its own so that a transaction takes the recurring rollups before the money ones, always:
 * no deadlock.
 */
export const financeRecurringAttribution = pgTable(
  "finance_recurring_attribution",
  {
    livemode: text({ enum: ["live", "test"] }).notNull(),
    dimension: text({ enum: attributionDimensions }).notNull(),
    grain: text({ enum: ["day", "month"] }).notNull(),
    period: date({ mode: "string" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    key: text().notNull(),
    startedCount: counter(),
    ended12mCount: counter(),
  },
  (t) => [primaryKey({ columns: [t.livemode, t.dimension, t.currency, t.key, t.grain, t.period] })],
);

/**
 * Recurring gifts by UTC day: those that started, those that ended (by the supporter, by failed
 * payments, otherwise), and the change in annual recurring revenue and in the number counted in
 * it. A gift counts from its start to its end at its current amount; one paused now, or never
 * paid (incomplete), counts in none of it. MRR on a day is the running sum of arr_delta / 12.
 */
export const financeRecurringDaily = pgTable(
  "finance_recurring_daily",
  {
    livemode: text({ enum: ["live", "test"] }).notNull(),
    day: date({ mode: "string" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    startedCount: counter(),
    endedCancelledCount: counter(),
    endedFailedCount: counter(),
    endedOtherCount: counter(),
    activeDelta: counter(),
    arrDeltaMinor: counter(),
  },
  (t) => [primaryKey({ columns: [t.livemode, t.day, t.currency] })],
);

/** Recurring gifts as they are now, by status and frequency ('' when Stripe's interval is not one we offer). */
export const financeRecurringNow = pgTable(
  "finance_recurring_now",
  {
    livemode: text({ enum: ["live", "test"] }).notNull(),
    currency: char({ length: 3 }).notNull(),
    status: text().notNull(),
    frequency: text().notNull(),
    giftsCount: counter(),
    arrMinor: counter(),
  },
  (t) => [primaryKey({ columns: [t.livemode, t.currency, t.status, t.frequency] })],
);

/** Recurring gifts by the month they started and the month they ended ('infinity' while they go on): the retention triangle. */
export const financeCohorts = pgTable(
  "finance_cohorts",
  {
    livemode: text({ enum: ["live", "test"] }).notNull(),
    currency: char({ length: 3 }).notNull(),
    startMonth: date({ mode: "string" }).notNull(),
    endMonth: date({ mode: "string" }).notNull(),
    giftsCount: counter(),
  },
  (t) => [primaryKey({ columns: [t.livemode, t.currency, t.startMonth, t.endMonth] })],
);

/**
 * The reminders' funnel by the UTC day each was set and its campaign ('' for none): set, with an
 * address, sent, gave before it fell due, gave after it reached them. Kept by a trigger on reminders
 * (db/migrations/0008_finance_speed.sql); it holds counts only, nothing of the reader.
 */
export const financeRemindersDaily = pgTable(
  "finance_reminders_daily",
  {
    day: date({ mode: "string" }).notNull(),
    campaign: text().notNull(),
    setCount: counter(),
    withEmailCount: counter(),
    sentCount: counter(),
    gaveBeforeDueCount: counter(),
    gaveAfterReminderCount: counter(),
  },
  (t) => [primaryKey({ columns: [t.day, t.campaign] })],
);

/**
 * Distinct supporters, exact for any period. Per mode, charge currency and supporter, the UTC days
 * the supporter paid form a sorted list; a period holds the supporter iff it holds one of their
 * days, so its distinct supporters are its supporter-days (this table, by day) less the pairs of a
 * supporter's consecutive paying days both inside it (finance_supporter_pairs).
 */
export const financeSupporterDays = pgTable(
  "finance_supporter_days",
  {
    livemode: text({ enum: ["live", "test"] }).notNull(),
    day: date({ mode: "string" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    supporterDays: counter(),
  },
  (t) => [primaryKey({ columns: [t.livemode, t.day, t.currency] })],
);

/**
 * Each pair of a supporter's consecutive paying days (first, next), counted twice: by its first
 * day (grain 'day', first_period the day) and by the month of its first day (grain 'month'). A
 * period's pairs are those from its first month's remaining days by day and from its later months
 * by month, with next_day inside the period: a year is a few thousand rows.
 */
export const financeSupporterPairs = pgTable(
  "finance_supporter_pairs",
  {
    livemode: text({ enum: ["live", "test"] }).notNull(),
    currency: char({ length: 3 }).notNull(),
    grain: text({ enum: ["day", "month"] }).notNull(),
    firstPeriod: date({ mode: "string" }).notNull(),
    nextDay: date({ mode: "string" }).notNull(),
    pairs: counter(),
  },
  (t) => [primaryKey({ columns: [t.livemode, t.currency, t.grain, t.firstPeriod, t.nextDay] })],
);
