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

// The rollups below are written only by triggers on payments, refunds, disputes and recurring_gifts
// (db/migrations/0005_finance.sql), in the transaction that writes the fact: each change subtracts
// the old row's contribution and adds the new one's, so they equal a recomputation from the ledger
// whatever the order or repetition of webhooks (lib/finance/rollup-check.ts recomputes them).
const counter = () => bigint({ mode: "number" }).notNull().default(0);

/**
 * Money by UTC day of the fact (a payment's paid_at, a refund's refunded_at, a dispute's
 * opened_at), charge currency, one-time or recurring, and settlement currency ('' until the
 * balance transaction is known). Gross and refunded amounts are in the charge currency; fees and
 * nets in the settlement currency (refund and dispute nets are negative, as Stripe's are).
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
  },
  (t) => [primaryKey({ columns: [t.livemode, t.day, t.currency, t.kind, t.settlementCurrency] })],
);

/**
 * What each article, section, campaign and variant brought in, by UTC day and by month (grain), in
 * the charge currency: a period's figures read whole months from the monthly rows and the days at
 * its edges from the daily ones.
 */
export const financeAttribution = pgTable(
  "finance_attribution",
  {
    grain: text({ enum: ["day", "month"] }).notNull(),
    livemode: text({ enum: ["live", "test"] }).notNull(),
    period: date({ mode: "string" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    articleUrl: text().notNull(),
    section: text().notNull(),
    campaign: text().notNull(),
    variant: text().notNull(),
    paymentsCount: counter(),
    giftsCount: counter(),
    grossMinor: counter(),
    refundsCount: counter(),
    refundedMinor: counter(),
    disputesCount: counter(),
    disputedMinor: counter(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.livemode, t.period, t.currency, t.articleUrl, t.section, t.campaign, t.variant] })],
);

/**
 * The recurring gifts each article, section, campaign and variant started, by the same grains, and
 * how many of them ended within twelve months of their start (retention). A table of its own so
 * that a transaction takes the recurring rollups before the money ones, always: no deadlock.
 */
export const financeRecurringAttribution = pgTable(
  "finance_recurring_attribution",
  {
    grain: text({ enum: ["day", "month"] }).notNull(),
    livemode: text({ enum: ["live", "test"] }).notNull(),
    period: date({ mode: "string" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    articleUrl: text().notNull(),
    section: text().notNull(),
    campaign: text().notNull(),
    variant: text().notNull(),
    startedCount: counter(),
    ended12mCount: counter(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.livemode, t.period, t.currency, t.articleUrl, t.section, t.campaign, t.variant] })],
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
