import { sql } from "drizzle-orm";
import { boolean, index, integer, json, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { supporters } from "./supporters";

/**
 * pending: waiting to be sent (or to be retried). sending: claimed by a worker, whose lease runs out
 * at locked_until. sent. failed: given up (a permanent SMTP refusal, or retries exhausted), kept for
 * a person. suppressed: never to be sent (a discreet supporter who did not ask for it), kept so
 * that it is visible it was not.
 */
export const emailStatus = pgEnum("email_status", ["pending", "sending", "sent", "failed", "suppressed"]);

/**
 * The email outbox. A message is written in the same transaction as the fact that causes it (a
 * payment, a failed renewal, a gift ending), under a key derived from that fact, so the fact and its
 * email commit together or not at all, and a fact applied twice queues one email. Workers send after
 * commit; see lib/email/outbox.ts.
 */
export const outboundEmails = pgTable(
  "outbound_emails",
  {
    id: uuid().primaryKey().defaultRandom(),
    idempotencyKey: text().notNull().unique("outbound_emails_idempotency_key_key"),
    template: text().notNull(),
    supporterId: uuid().references(() => supporters.id, { onDelete: "set null" }),
    toAddress: text().notNull(),
    locale: text().notNull(),
    // What the template needs, as JSON; cleared once the message is sent (it may name the supporter).
    props: json(),
    // The supporter asked for this one (a sign-in link, a receipt requested from the thank-you page):
    // sent even to a supporter who chose discreet giving.
    requested: boolean().notNull().default(false),
    status: emailStatus().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    subject: text(),
    // Derived from the key: a resend after a crash carries the same Message-ID as the first send.
    messageId: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
    // The request whose work queued it (lib/log.ts): its sending is logged under the same id.
    requestId: text(),
  },
  (t) => [
    index("outbound_emails_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("outbound_emails_sending_idx").on(t.lockedUntil).where(sql`${t.status} = 'sending'`),
    // Counted on every health check, like the inbox's parked events.
    index("outbound_emails_failed_idx").on(t.createdAt).where(sql`${t.status} = 'failed'`),
    index().on(t.supporterId),
  ],
);

/**
 * Where email goes when no SMTP server is configured (local runs and the demo): a mailbox that the
 * app's /mailbox page lists. Unique on the Message-ID, so a resend after a crash is not a second
 * message here.
 */
export const mailboxMessages = pgTable("mailbox_messages", {
  id: uuid().primaryKey().defaultRandom(),
  messageId: text().notNull().unique("mailbox_messages_message_id_key"),
  fromAddress: text().notNull(),
  toAddress: text().notNull(),
  subject: text().notNull(),
  html: text().notNull(),
  text: text().notNull(),
  receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type OutboundEmail = typeof outboundEmails.$inferSelect;
export type MailboxMessage = typeof mailboxMessages.$inferSelect;
