import { and, eq, sql } from "drizzle-orm";
import type { Transaction } from "@/db";
import { outboundEmails, paymentFailures, recurringGifts } from "@/db/schema";
import { env } from "@/lib/env";
import { manageUrl, signManageToken } from "@/lib/supporters/manage-links";
import { enqueueSupporterEmail } from "./outbox";

/**
 * The emails the ledger's facts cause, queued in the transaction that records each fact. Keys are
 * the facts' own Stripe ids, so a fact applied again (a redelivered webhook) queues nothing new.
 */

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * The gift's "manage this gift" link for an email queued now (valid 30 days from now, in the gift's
 * language), or null when no email will go (no supporter) or the gift is not known.
 */
async function manageLinkForEmail(tx: Transaction, supporterId: string | null, recurringGiftId: string | null | undefined): Promise<string | null> {
  if (!supporterId || !recurringGiftId) return null;
  const [gift] = await tx
    .select({ id: recurringGifts.id, manageKey: recurringGifts.manageKey, locale: recurringGifts.locale })
    .from(recurringGifts)
    .where(eq(recurringGifts.id, recurringGiftId));

  return gift ? manageUrl(signManageToken(gift, new Date()), gift.locale) : null;
}

export async function queueOneTimeReceipt(
  tx: Transaction,
  input: { supporterId: string | null; stripePaymentIntentId: string; stripeChargeId: string; amountMinor: number; currency: string; paidAt: Date },
): Promise<void> {
  await enqueueSupporterEmail(tx, input.supporterId, {
    idempotencyKey: `receipt:${input.stripePaymentIntentId}`,
    template: "receipt_one_time",
    props: ({ name }) => ({ amountMinor: input.amountMinor, currency: input.currency, paidAt: input.paidAt.toISOString(), receiptId: input.stripeChargeId, supporterName: name }),
  });
}

export async function queueRecurringReceipt(
  tx: Transaction,
  input: {
    supporterId: string | null;
    recurringGiftId?: string | null;
    stripeInvoiceId: string;
    stripeChargeId: string;
    amountMinor: number;
    currency: string;
    paidAt: Date;
    frequency: "monthly" | "annual" | null;
    first: boolean;
    periodStart: Date | null;
    periodEnd: Date | null;
    nextPaymentAt: Date | null;
  },
): Promise<void> {
  const manage = await manageLinkForEmail(tx, input.supporterId, input.recurringGiftId);
  await enqueueSupporterEmail(tx, input.supporterId, {
    idempotencyKey: `receipt:${input.stripeInvoiceId}`,
    template: "receipt_recurring",
    props: ({ name }) => ({
      amountMinor: input.amountMinor,
      currency: input.currency,
      paidAt: input.paidAt.toISOString(),
      receiptId: input.stripeChargeId,
      supporterName: name,
      frequency: input.frequency ?? "monthly",
      first: input.first,
      periodStart: iso(input.periodStart),
      periodEnd: iso(input.periodEnd),
      nextPaymentAt: iso(input.nextPaymentAt),
      manageUrl: manage,
    }),
  });
}

export async function queuePaymentFailed(
  tx: Transaction,
  input: {
    supporterId: string | null;
    stripeInvoiceId: string;
    attemptCount: number;
    amountMinor: number;
    currency: string;
    frequency: "monthly" | "annual" | null;
    nextAttemptAt: Date | null;
    updateCardUrl: string;
  },
): Promise<void> {
  // The failure is recorded before its notice is queued: its row names the gift.
  const [failure] = await tx.select({ recurringGiftId: paymentFailures.recurringGiftId }).from(paymentFailures).where(eq(paymentFailures.stripeInvoiceId, input.stripeInvoiceId)).limit(1);
  const manage = await manageLinkForEmail(tx, input.supporterId, failure?.recurringGiftId);
  await enqueueSupporterEmail(tx, input.supporterId, {
    // One per failed attempt (Stripe dedupes nothing for us: an event can arrive twice).
    idempotencyKey: `payment-failed:${input.stripeInvoiceId}:${input.attemptCount}`,
    template: "payment_failed",
    props: () => ({
      amountMinor: input.amountMinor,
      currency: input.currency,
      frequency: input.frequency ?? "monthly",
      attemptCount: input.attemptCount,
      nextAttemptAt: iso(input.nextAttemptAt),
      updateCardUrl: input.updateCardUrl,
      manageUrl: manage,
    }),
  });
}

const ENDED_REASONS = new Set(["cancellation_requested", "payment_failed", "payment_disputed"]);
const WAS_ALIVE = new Set(["active", "past_due", "cancelling", "paused"]);

/**
 * Withdraws queued emails that a later fact has made wrong (a "card declined" notice once the
 * renewal is paid; "your gift will end" once the supporter has renewed it): those not yet claimed
 * become `suppressed`.
 */
export async function withdrawQueuedEmails(tx: Transaction, keyPrefix: string): Promise<void> {
  await tx
    .update(outboundEmails)
    .set({ status: "suppressed", props: null })
    .where(and(eq(outboundEmails.status, "pending"), sql`starts_with(${outboundEmails.idempotencyKey}, ${keyPrefix})`));
}

/** A recurring gift that has become set to end, or has ended: one email for each, per gift. */
export async function queueRecurringEndEmails(
  tx: Transaction,
  gift: {
    stripeSubscriptionId: string;
    recurringGiftId?: string | null;
    supporterId: string | null;
    status: string;
    statusReason: string | null;
    amountMinor: number;
    currency: string;
    frequency: "once" | "monthly" | "annual" | null;
    cancelAt: Date | null;
    endedAt: Date | null;
  },
  previous: { status: string; cancelAt: Date | null } | null,
): Promise<void> {
  const frequency = gift.frequency === "annual" ? "annual" : "monthly";
  const cancelAt = gift.cancelAt;
  if (gift.status === "cancelling" && cancelAt && (previous?.status !== "cancelling" || previous.cancelAt?.getTime() !== cancelAt.getTime())) {
    // Until it ends the gift can still be kept: the email carries the way to undo.
    const manage = await manageLinkForEmail(tx, gift.supporterId, gift.recurringGiftId);
    await enqueueSupporterEmail(tx, gift.supporterId, {
      idempotencyKey: `recurring-ending:${gift.stripeSubscriptionId}:${Math.floor(cancelAt.getTime() / 1000)}`,
      template: "recurring_ending",
      props: () => ({ amountMinor: gift.amountMinor, currency: gift.currency, frequency, endsAt: cancelAt.toISOString(), manageUrl: manage }),
    });
  }
  // Only a gift we saw alive ends in an email: not one that never started (incomplete), nor one
  // first seen already over (a replay, a backfill), whose supporter heard of it long ago.
  if (gift.status === "ended" && previous !== null && WAS_ALIVE.has(previous.status) && gift.statusReason !== "incomplete_expired") {
    const restart = new URLSearchParams({ frequency, currency: gift.currency });
    await enqueueSupporterEmail(tx, gift.supporterId, {
      idempotencyKey: `recurring-ended:${gift.stripeSubscriptionId}`,
      template: "recurring_ended",
      props: () => ({
        amountMinor: gift.amountMinor,
        currency: gift.currency,
        frequency,
        endedAt: (gift.endedAt ?? new Date()).toISOString(),
        reason: (ENDED_REASONS.has(gift.statusReason ?? "") ? gift.statusReason : "other") as "cancellation_requested" | "payment_failed" | "payment_disputed" | "other",
        restartUrl: `${env().appUrl}/donate?${restart.toString()}`,
      }),
    });
  }
}
