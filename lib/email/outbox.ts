import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Transaction } from "@/db";
import { outboundEmails, supporters } from "@/db/schema";
import type { EmailProps, EmailTemplate } from "@/emails";
import { env } from "@/lib/env";

export type EnqueueEmail<T extends EmailTemplate = EmailTemplate> = {
  /** Derived from the fact that causes the email (e.g. `receipt:in_…`): one email per fact, however often it is applied. */
  idempotencyKey: string;
  template: T;
  props: EmailProps<T>;
  to: string;
  locale: string;
  supporterId: string | null;
  /** The supporter asked for this email; it goes even to a supporter who chose discreet giving. */
  requested?: boolean;
};

/** Message-ID from the idempotency key: a resend of the same email is recognisably the same message. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}@${domain}>`;
}

/**
 * Queues an email in the caller's transaction, so it commits with the fact that causes it or not at
 * all. A second call with the same key does nothing. A supporter who chose discreet giving gets
 * nothing they did not ask for: the row is written as `suppressed`, so it is visible that it was not
 * sent, and no caller has to remember the rule.
 */
export async function enqueueEmail<T extends EmailTemplate>(tx: Transaction, email: EnqueueEmail<T>): Promise<void> {
  let discreet = false;
  if (email.supporterId) {
    const [supporter] = await tx.select({ discreet: supporters.discreet }).from(supporters).where(eq(supporters.id, email.supporterId));
    discreet = supporter?.discreet ?? false;
  }
  const suppressed = discreet && !email.requested;
  await tx
    .insert(outboundEmails)
    .values({
      idempotencyKey: email.idempotencyKey,
      template: email.template,
      supporterId: email.supporterId,
      toAddress: email.to,
      locale: email.locale,
      props: suppressed ? null : (email.props as Record<string, unknown>),
      requested: email.requested ?? false,
      status: suppressed ? "suppressed" : "pending",
      messageId: messageIdFor(email.idempotencyKey, env().email.messageDomain),
    })
    .onConflictDoNothing({ target: outboundEmails.idempotencyKey });
}
