import { sql } from "drizzle-orm";
import { index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { recurringGifts } from "./recurring-gifts";

/**
 * What a supporter asked Stripe to do to a recurring gift, until the webhook shows Stripe did it:
 * the account and the manage page show the change as pending meanwhile. The idempotency key is the
 * one sent to Stripe, so a retried press is one change at Stripe and one row here.
 */
export const giftRequestKind = pgEnum("gift_request_kind", ["change_amount", "change_frequency", "pause", "resume", "cancel", "undo_cancel", "update_card"]);
export const giftRequestStatus = pgEnum("gift_request_status", ["pending", "confirmed", "failed", "superseded"]);

export const giftRequests = pgTable(
  "gift_requests",
  {
    id: uuid().primaryKey().defaultRandom(),
    recurringGiftId: uuid()
      .notNull()
      .references(() => recurringGifts.id, { onDelete: "cascade" }),
    kind: giftRequestKind().notNull(),
    // What was asked, as sent (amounts in minor units): compared with the subscription's state when
    // its webhook arrives.
    requested: jsonb().$type<Record<string, string | number | boolean | null>>().notNull(),
    idempotencyKey: text().notNull(),
    status: giftRequestStatus().notNull().default("pending"),
    // Who asked: "supporter" (signed in) or "manage_link"; never an address.
    requestedBy: text({ enum: ["supporter", "manage_link"] }).notNull(),
    requestedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    settledAt: timestamp({ withTimezone: true }),
    failure: text(),
  },
  (t) => [
    index().on(t.recurringGiftId, t.status),
    uniqueIndex("gift_requests_idempotency_key_key").on(t.idempotencyKey),
  ],
);

/**
 * What is left of an erased supporter: keyed hashes (HMAC with APP_SECRET) of their address and of
 * each Stripe customer id, so that a webhook delivered or replayed afterwards recognises them and
 * records the money fact without any personal data, and the supporter is never recreated.
 */
export const erasures = pgTable(
  "erasures",
  {
    id: uuid().primaryKey().defaultRandom(),
    emailHash: text().notNull(),
    erasedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    // Which personal data went, for the confirmation and the accounts: never the data itself.
    summary: jsonb().$type<Record<string, number>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [uniqueIndex("erasures_email_hash_key").on(t.emailHash)],
);

export const erasedStripeCustomers = pgTable("erased_stripe_customers", {
  customerHash: text().primaryKey(),
  erasureId: uuid()
    .notNull()
    .references(() => erasures.id, { onDelete: "cascade" }),
});

export type GiftRequest = typeof giftRequests.$inferSelect;
