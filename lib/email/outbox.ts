import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Transaction } from "@/db";
import { outboundEmails, supporters } from "@/db/schema";
import type { EmailProps, EmailTemplate } from "@/emails";
import { env } from "@/lib/env";

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
 * Queues an email to a supporter in the caller's transaction, so it commits with the fact that
 * causes it or not at all. The outbox reads the supporter once (address, language, discreet giving),
 * so no caller looks them up. A second call with the same key does nothing. A supporter who chose
 * discreet giving gets nothing they did not ask for: the row is written as `suppressed`, so it is
 * visible that it was not sent, and no caller has to remember the rule. No supporter, no email.
 */
export async function enqueueSupporterEmail<T extends EmailTemplate>(tx: Transaction, supporterId: string | null, email: SupporterEmail<T>): Promise<void> {
  if (!supporterId) return;
  const [supporter] = await tx
    .select({ email: supporters.email, name: supporters.name, locale: supporters.locale, discreet: supporters.discreet })
    .from(supporters)
    .where(eq(supporters.id, supporterId));
  if (!supporter) return;
  const suppressed = supporter.discreet && !email.requested;
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
    })
    .onConflictDoNothing({ target: outboundEmails.idempotencyKey });
}
