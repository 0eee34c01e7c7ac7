import { createHash } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Transaction } from "@/db";
import { outboundEmails, supporters } from "@/db/schema";
import type { EmailProps, EmailTemplate } from "@/emails";
import { env } from "@/lib/env";
import { currentRequestId } from "@/lib/log";

export type SupporterEmail<T extends EmailTemplate = EmailTemplate> = {
  /** Derived from the fact that causes the email (e.g. `receipt:in_…`): one email per fact, however often it is applied. */
  idempotencyKey: string;
  template: T;
  /** The template's props, given what the outbox read of the supporter. */
  props: (supporter: { name: string | null }) => EmailProps<T>;
  /** The supporter asked for this email; it goes even to a supporter who chose discreet giving. */
  requested?: boolean;
};

/** Message-ID from the idempotency key: a resend of the same email is recognisably the same message. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}@${domain}>`;
}

/**
 * Which of a supporter's preferences (the account's "which emails") an email falls under. The
 * emails that tell of a change to their money (a failed payment, a gift ending or ended) and the
 * sign-in link fall under none: they always go.
 */
export const EMAIL_PREFERENCE: Partial<Record<EmailTemplate, "wantsReceipts" | "wantsReminders" | "wantsStatements">> = {
  receipt_one_time: "wantsReceipts",
  receipt_recurring: "wantsReceipts",
  reminder: "wantsReminders",
  yearly_statement: "wantsStatements",
};

function wantsEmail(supporter: { wantsReceipts: boolean; wantsReminders: boolean; wantsStatements: boolean }, template: EmailTemplate): boolean {
  const preference = EMAIL_PREFERENCE[template];

  return preference === undefined || supporter[preference];
}

/**
 * Queues an email to a supporter in the caller's transaction, so it commits with the fact that
 * causes it or not at all. The outbox reads the supporter once (address, language, discreet giving),
 * so no caller looks them up. A second call with the same key does nothing. A supporter who chose
 * discreet giving gets nothing they did not ask for: the row is written as `suppressed`, so it is
 * visible that it was not sent, and no caller has to remember the rule. The same for an email the
 * supporter turned off in their account (receipts, statements). No supporter, no email.
 */
export async function enqueueSupporterEmail<T extends EmailTemplate>(tx: Transaction, supporterId: string | null, email: SupporterEmail<T>): Promise<void> {
  if (!supporterId) return;
  const [supporter] = await tx
    .select({
      email: supporters.email,
      name: supporters.name,
      locale: supporters.locale,
      discreet: supporters.discreet,
      wantsReceipts: supporters.wantsReceipts,
      wantsReminders: supporters.wantsReminders,
      wantsStatements: supporters.wantsStatements,
    })
    .from(supporters)
    .where(eq(supporters.id, supporterId));
  if (!supporter) return;
  const suppressed = !email.requested && (supporter.discreet || !wantsEmail(supporter, email.template));
  await tx
    .insert(outboundEmails)
    .values({
      idempotencyKey: email.idempotencyKey,
      template: email.template,
      supporterId,
      toAddress: supporter.email,
      locale: supporter.locale ?? "en",
      props: suppressed ? null : (email.props({ name: supporter.name }) as Record<string, unknown>),
      requested: email.requested ?? false,
      status: suppressed ? "suppressed" : "pending",
      messageId: messageIdFor(email.idempotencyKey, env().email.messageDomain),
      requestId: currentRequestId() ?? null,
    })
    .onConflictDoNothing({ target: outboundEmails.idempotencyKey });
}

/**
 * What an address email's `to_address` becomes once the address is no longer needed (sent, or
 * withdrawn): the column cannot be empty, and this can never be mistaken for an address.
 */
export const ERASED_ADDRESS = "[erased]";

/**
 * Kept beside the template's props (which the template's schema strips before rendering), so the
 * one-click address travels with the message until it is sent, and goes when the props go.
 */
export const ONE_CLICK_UNSUBSCRIBE_PROP = "oneClickUnsubscribeUrl";

export type AddressEmail<T extends EmailTemplate = EmailTemplate> = {
  /** The address, as the reader gave it; the outbox keeps it only until the email is sent or withdrawn. */
  to: string;
  locale: string;
  template: T;
  props: EmailProps<T>;
  /** Derived from the fact that causes the email (e.g. `reminder:<id>`): one email per fact. */
  idempotencyKey: string;
  /**
   * Where a one-click unsubscribe (RFC 8058) is POSTed, when that differs from the template's own
   * unsubscribe link (a page a person opens): the sender puts it in List-Unsubscribe.
   */
  oneClickUnsubscribeUrl?: string;
};

/**
 * Queues an email to an address that may belong to no supporter (a reminder the reader asked for),
 * in the caller's transaction. The reader asked for it, so discreet giving does not hold it back.
 * A second call with the same key does nothing. Once sent, the sender erases the address (nothing
 * else about this reader needs it).
 */
export async function enqueueAddressEmail<T extends EmailTemplate>(tx: Transaction, email: AddressEmail<T>): Promise<void> {
  // A supporter who turned reminders off in their account gets none at their address, whichever
  // reminder asked for it: written as suppressed, with neither address nor props kept.
  const suppressed = EMAIL_PREFERENCE[email.template] === "wantsReminders" && (await turnedRemindersOff(tx, email.to));
  const props: Record<string, unknown> = { ...(email.props as Record<string, unknown>) };
  if (email.oneClickUnsubscribeUrl) props[ONE_CLICK_UNSUBSCRIBE_PROP] = email.oneClickUnsubscribeUrl;
  await tx
    .insert(outboundEmails)
    .values({
      idempotencyKey: email.idempotencyKey,
      template: email.template,
      supporterId: null,
      toAddress: suppressed ? ERASED_ADDRESS : email.to,
      locale: email.locale,
      props: suppressed ? null : props,
      requested: true,
      status: suppressed ? "suppressed" : "pending",
      messageId: messageIdFor(email.idempotencyKey, env().email.messageDomain),
      requestId: currentRequestId() ?? null,
    })
    .onConflictDoNothing({ target: outboundEmails.idempotencyKey });
}

async function turnedRemindersOff(tx: Transaction, address: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: supporters.id })
    .from(supporters)
    .where(and(eq(supporters.email, address.trim().toLowerCase()), eq(supporters.wantsReminders, false)))
    .limit(1);

  return row !== undefined;
}

/**
 * Withdraws an address email whose reader no longer wants it: one not gone yet (pending, or waiting
 * for a retry) becomes `suppressed`; one that failed for good stays `failed` (its error is the
 * record) but loses its address too. Either way props and address are erased. One being sent, or
 * sent, is left as it is. Returns whether one was withdrawn before it went.
 */
export async function withdrawAddressEmail(tx: Transaction, idempotencyKey: string): Promise<boolean> {
  const touched = await tx
    .update(outboundEmails)
    .set({
      status: sql`case when ${outboundEmails.status} = 'pending' then 'suppressed'::email_status else ${outboundEmails.status} end`,
      props: null,
      toAddress: ERASED_ADDRESS,
    })
    .where(and(eq(outboundEmails.idempotencyKey, idempotencyKey), inArray(outboundEmails.status, ["pending", "failed"])))
    .returning({ status: outboundEmails.status });

  return touched.some((row) => row.status === "suppressed");
}
