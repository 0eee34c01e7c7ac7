import { boolean, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

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
