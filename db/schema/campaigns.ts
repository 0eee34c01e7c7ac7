import { sql } from "drizzle-orm";
import { bigint, boolean, char, check, date, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * A campaign: the picker's settings for the pages that name it (`data-campaign`), with `default`
 * for every other page. Presets are per frequency and currency, in minor units, one suggested;
 * copy overrides the message files' headline and appeal per language. Read on every picker render,
 * so a change here shows on the next article view, on every instance.
 *
 * A goal (an amount in one currency) makes the picker show progress toward it while the campaign
 * runs: when active and between its dates (UTC days, both included; a date left out is open).
 */
export const campaigns = pgTable(
  "campaigns",
  {
    slug: text().primaryKey(),
    name: text().notNull(),
    // { once: { eur: { amounts: [1000, 2500], suggested: 2500 }, ... }, monthly: {...}, annual: {...} }
    presets: jsonb().notNull(),
    // { en: { headline, appeal }, ru: { headline, appeal } }; a language or field left out falls back to the message files.
    copy: jsonb().notNull().default({}),
    active: boolean().notNull().default(true),
    goalMinor: bigint({ mode: "number" }),
    goalCurrency: char({ length: 3 }),
    startsOn: date({ mode: "string" }),
    endsOn: date({ mode: "string" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("campaigns_goal_whole", sql`(${t.goalMinor} is null) = (${t.goalCurrency} is null)`),
    check("campaigns_goal_positive", sql`${t.goalMinor} > 0`),
    check("campaigns_goal_currency_lower", sql`${t.goalCurrency} ~ '^[a-z]{3}$'`),
    check("campaigns_dates_in_order", sql`${t.startsOn} <= ${t.endsOn}`),
  ],
);
