import { boolean, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * A person who gives. One row per email address (lower-cased), whatever number of Stripe customers
 * Checkout created for them; Stripe customers hang off it in stripe_customers.
 */
export const supporters = pgTable("supporters", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique("supporters_email_key"),
  name: text(),
  locale: text(),
  // Discreet giving: no email unless the supporter asks for one. The outbox enforces it.
  discreet: boolean().notNull().default(false),
  // Which emails they want (account preferences). Receipts can be turned off, never the emails that
  // tell of a change to their money (a cancellation, a failed payment).
  wantsReceipts: boolean().notNull().default(true),
  wantsReminders: boolean().notNull().default(true),
  wantsStatements: boolean().notNull().default(true),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const stripeCustomers = pgTable(
  "stripe_customers",
  {
    id: text().primaryKey(), // cus_…
    supporterId: uuid()
      .notNull()
      .references(() => supporters.id, { onDelete: "cascade" }),
    livemode: text({ enum: ["live", "test"] }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.supporterId)],
);

export type Supporter = typeof supporters.$inferSelect;
export type StripeCustomer = typeof stripeCustomers.$inferSelect;
