import { and, eq, isNull, sql } from "drizzle-orm";
import type { Transaction } from "@/db";
import { paymentFailures, payments, recurringGifts, stripeCustomers } from "@/db/schema";
import { queueRecurringEndEmails, queueRecurringReceipt, withdrawQueuedEmails } from "@/lib/email/notify";
import { insertPaymentOnce, type PaymentFacts, upsertSupporter } from "@/lib/gifts/record-gift";
import { settleGiftRequests } from "./settle-requests";
import type { SubscriptionFacts } from "./subscription-facts";

const mode = (livemode: boolean) => (livemode ? "live" : "test") as "live" | "test";

/** Columns that mirror Stripe's current state of the subscription. */
function stateColumns(facts: SubscriptionFacts) {
  return {
    stripeCustomerId: facts.stripeCustomerId,
    frequency: facts.frequency,
    interval: facts.interval,
    intervalCount: facts.intervalCount,
    amountMinor: facts.amountMinor,
    currency: facts.currency,
    status: facts.status,
    statusReason: facts.statusReason,
    stripeStatus: facts.stripeStatus,
    cancellationFeedback: facts.cancellationFeedback,
    startedAt: facts.startedAt,
    currentPeriodStart: facts.currentPeriodStart,
    currentPeriodEnd: facts.currentPeriodEnd,
    cancelAt: facts.cancelAt,
    canceledAt: facts.canceledAt,
    endedAt: facts.endedAt,
    pausedUntil: facts.pausedUntil,
    failedPaymentAttempts: facts.failedPaymentAttempts,
    nextPaymentAttemptAt: facts.nextPaymentAttemptAt,
    stripeSyncedAt: facts.syncedAt,
  };
}

/**
 * Writes a recurring gift as Stripe holds it and returns its id and supporter. The state is overwritten only by a
 * read that began no earlier than the stored one, and an ended gift stays ended: Stripe never revives
 * a cancelled subscription, so anything that says otherwise is a stale read.
 */
export async function upsertRecurringGift(
  tx: Transaction,
  facts: SubscriptionFacts,
  checkoutSessionId: string | null = null,
): Promise<{ id: string; supporterId: string | null }> {
  const state = stateColumns(facts);
  // The row as it was, locked, to tell whether this write sets the gift to end or ends it.
  const [previous] = await tx
    .select({
      id: recurringGifts.id,
      supporterId: recurringGifts.supporterId,
      status: recurringGifts.status,
      cancelAt: recurringGifts.cancelAt,
      discreet: recurringGifts.discreet,
    })
    .from(recurringGifts)
    .where(eq(recurringGifts.stripeSubscriptionId, facts.stripeSubscriptionId))
    .for("update");
  // A gift first recorded as discreet, with no supporter, stays without one: a later read whose
  // metadata someone edited in Stripe's dashboard must not bring the giver's address in.
  const keepsNoSupporter = previous?.discreet === true && previous.supporterId === null;
  const supporterId = facts.supporter && !keepsNoSupporter ? await upsertSupporter(tx, { ...facts.supporter, stripeCustomerId: facts.stripeCustomerId }) : null;
  if (supporterId) {
    await tx
      .insert(stripeCustomers)
      .values({ id: facts.stripeCustomerId, supporterId, livemode: mode(facts.livemode) })
      .onConflictDoNothing({ target: stripeCustomers.id });
  }
  const [row] = await tx
    .insert(recurringGifts)
    .values({
      ...state,
      supporterId,
      stripeSubscriptionId: facts.stripeSubscriptionId,
      stripeCheckoutSessionId: checkoutSessionId,
      livemode: mode(facts.livemode),
      ...facts.attribution,
      feeCoveredMinor: facts.options.feeCoveredMinor,
      discreet: facts.options.discreet !== null,
      reminderId: facts.options.reminderId,
    })
    .onConflictDoUpdate({
      target: recurringGifts.stripeSubscriptionId,
      set: {
        ...Object.fromEntries(Object.keys(state).map((key) => [key, sql.raw(`excluded.${snake(key)}`)])),
        // Also in SQL, for two writers of a new subscription at once (the lock above finds no row).
        supporterId: sql`case when ${recurringGifts.discreet} and ${recurringGifts.supporterId} is null then null
          else coalesce(${recurringGifts.supporterId}, excluded.supporter_id) end`,
        updatedAt: sql`now()`,
      },
      // A later read wins; and nothing but another read of the ended subscription touches an ended gift.
      setWhere: sql`excluded.stripe_synced_at >= ${recurringGifts.stripeSyncedAt}
        and (${recurringGifts.status} <> 'ended' or excluded.status = 'ended')`,
    })
    .returning({ id: recurringGifts.id, supporterId: recurringGifts.supporterId });
  if (row) {
    await queueRecurringEndEmails(tx, { ...facts, recurringGiftId: row.id, supporterId: row.supporterId, stripeSubscriptionId: facts.stripeSubscriptionId }, previous ?? null);
    if (previous?.status === "cancelling" && facts.status !== "cancelling" && facts.status !== "ended") {
      await withdrawQueuedEmails(tx, `recurring-ending:${facts.stripeSubscriptionId}:`);
    }
  }
  // No row back means the stored state was newer and kept: `previous` is that row, unless another
  // transaction inserted it after our read (two workers on a new subscription at once).
  const gift =
    row ??
    previous ??
    (
      await tx
        .select({ id: recurringGifts.id, supporterId: recurringGifts.supporterId })
        .from(recurringGifts)
        .where(eq(recurringGifts.stripeSubscriptionId, facts.stripeSubscriptionId))
    )[0]!;
  const id = gift.id;
  if (checkoutSessionId) {
    await tx
      .update(recurringGifts)
      .set({ stripeCheckoutSessionId: checkoutSessionId })
      .where(and(eq(recurringGifts.id, id), isNull(recurringGifts.stripeCheckoutSessionId)));
  }
  // What supporters asked of this gift, settled by the state just written (or the newer one kept).
  await settleGiftRequests(tx, id, { paymentMethodId: facts.paymentMethodId, syncedAt: facts.syncedAt });

  return gift;
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export type InvoicePaymentFacts = PaymentFacts & {
  livemode: boolean;
  stripeInvoiceId: string;
  billingReason: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
};

/**
 * One payment per paid invoice; a redelivery changes nothing but may fill in a fee learnt since.
 * Only a second row for the same invoice is expected and skipped: the same charge or PaymentIntent
 * under another invoice is a fact we do not understand, so it fails loudly (the event is retried,
 * then parked for a person) instead of vanishing.
 */
export async function recordInvoicePayment(
  tx: Transaction,
  gift: { id: string; supporterId: string | null },
  facts: InvoicePaymentFacts,
  receipt: { frequency: "monthly" | "annual" | null; nextPaymentAt: Date | null },
): Promise<void> {
  const inserted = await insertPaymentOnce(
    tx,
    {
      recurringGiftId: gift.id,
      supporterId: gift.supporterId,
      stripeInvoiceId: facts.stripeInvoiceId,
      billingReason: facts.billingReason,
      periodStart: facts.periodStart,
      periodEnd: facts.periodEnd,
      stripePaymentIntentId: facts.stripePaymentIntentId,
      stripeChargeId: facts.stripeChargeId,
      amountMinor: facts.amountMinor,
      currency: facts.currency,
      livemode: mode(facts.livemode),
      paidAt: facts.paidAt,
    },
    facts.settlement,
    payments.stripeInvoiceId,
  );
  if (inserted) {
    // The invoice is paid: any "card declined" notice for it still waiting to go out is now wrong.
    await withdrawQueuedEmails(tx, `payment-failed:${facts.stripeInvoiceId}:`);
    await queueRecurringReceipt(tx, {
      supporterId: gift.supporterId,
      recurringGiftId: gift.id,
      ...facts,
      ...receipt,
      first: facts.billingReason === "subscription_create",
    });
  }
}

export type PaymentFailureFacts = {
  stripeInvoiceId: string;
  attemptCount: number;
  kind: "declined" | "authentication_required";
  amountMinor: number;
  currency: string;
  nextPaymentAttemptAt: Date | null;
  failedAt: Date;
};

/** A failed attempt, once per invoice, attempt and kind, as the event that reported it said. Says whether it is new. */
export async function recordPaymentFailure(tx: Transaction, recurringGiftId: string, facts: PaymentFailureFacts): Promise<boolean> {
  const inserted = await tx
    .insert(paymentFailures)
    .values({ recurringGiftId, ...facts })
    .onConflictDoNothing()
    .returning({ id: paymentFailures.id });

  return inserted.length > 0;
}
