import { bigint, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

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

/**
 * Our own requests to Stripe's API from the workers, counted per slot of the database's clock (a
 * tenth of a second, or longer for a budget under ten a second), so that the workers of every
 * instance together stay within one budget (lib/stripe/request-budget.ts). Pruned within a minute.
 */
export const stripeRequestBudget = pgTable("stripe_request_budget", {
  slot: bigint({ mode: "number" }).primaryKey(),
  used: integer().notNull(),
});
