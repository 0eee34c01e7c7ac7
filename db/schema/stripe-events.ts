import { sql } from "drizzle-orm";
import { boolean, index, integer, json, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const stripeEventStatus = pgEnum("stripe_event_status", ["pending", "processed", "ignored", "failed"]);

/**
 * The webhook inbox. Every verified event is stored here once, keyed by Stripe's event id, before we
 * answer 2xx; a worker then applies its effects and marks it processed in the same transaction.
 * locked_until is a lease so a crashed worker's event is picked up again by any instance.
 */
export const stripeEvents = pgTable(
  "stripe_events",
  {
    id: text().primaryKey(), // evt_…
    type: text().notNull(),
    apiVersion: text(),
    livemode: boolean().notNull(),
    objectId: text(),
    stripeCreatedAt: timestamp({ withTimezone: true }).notNull(),
    // The body exactly as Stripe sent it (json keeps the text; we never query inside it, and it costs
    // the database less to store than jsonb). Null for event types we do not act on: we keep that
    // Stripe sent them, not what they said.
    payload: json(),
    status: stripeEventStatus().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
    // The delivery that stored it (lib/log.ts): the worker that applies it logs under the same id.
    requestId: text(),
  },
  (t) => [
    index("stripe_events_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // Parked events are few and counted on every health check: not by a scan of every event kept.
    index("stripe_events_parked_idx").on(t.receivedAt).where(sql`${t.status} = 'failed'`),
    index().on(t.objectId),
  ],
);

export type StripeEventRow = typeof stripeEvents.$inferSelect;
