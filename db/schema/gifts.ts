import { sql } from "drizzle-orm";
import { bigint, check, char, index, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { supporters } from "./supporters";
import { giftOptions } from "./gift-options";

export const giftFrequency = pgEnum("gift_frequency", ["once", "monthly", "annual"]);

/**
 * Where a gift came from. Kept on every gift and every recurring gift so revenue can be
 * reported by article, section and campaign without joining anything that may have been deleted.
 */
export const attribution = {
  articleUrl: text(),
  section: text(),
  campaign: text(),
  variant: text(),
  locale: text(),
};

/**
 * A one-time gift: an immutable fact recorded once from Stripe's checkout.session.completed
 * (or async_payment_succeeded). Unique on the Checkout Session, so redelivery cannot duplicate it.
 */
export const gifts = pgTable(
  "gifts",
  {
    id: uuid().primaryKey().defaultRandom(),
    supporterId: uuid().references(() => supporters.id, { onDelete: "set null" }),
    stripeCheckoutSessionId: text().notNull().unique("gifts_stripe_checkout_session_id_key"),
    stripeCustomerId: text(),
    frequency: giftFrequency().notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    currency: char({ length: 3 }).notNull(),
    livemode: text({ enum: ["live", "test"] }).notNull(),
    ...attribution,
    ...giftOptions,
    givenAt: timestamp({ withTimezone: true }).notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.supporterId),
    index().on(t.givenAt),
    check("gifts_amount_positive", sql`${t.amountMinor} > 0`),
    check("gifts_currency_lower", sql`${t.currency} ~ '^[a-z]{3}$'`),
  ],
);

export type Gift = typeof gifts.$inferSelect;
