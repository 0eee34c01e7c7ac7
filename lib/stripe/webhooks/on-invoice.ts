import type Stripe from "stripe";
import { queuePaymentFailed } from "@/lib/email/notify";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { readGiftMetadata } from "@/lib/stripe/metadata";
import { recordInvoicePayment, recordPaymentFailure, upsertRecurringGift } from "@/lib/recurring/record";
import { readSubscriptionFacts } from "@/lib/recurring/subscription-facts";
import type { EventHandler } from "./event-handler";
import { settlementOf } from "./settlement";

const date = (unix: number | null | undefined) => (unix === null || unix === undefined ? null : new Date(unix * 1000));

/** The subscription a gift's invoice belongs to, or null for invoices that are not a gift of ours. */
function giftSubscriptionOf(invoice: Stripe.Invoice): string | null {
  const details = invoice.parent?.subscription_details;
  if (!details?.subscription) return null;
  // The invoice carries a snapshot of the subscription's metadata, so no read is needed to tell.
  if (!readGiftMetadata(details.metadata).isOurs) return null;

  return typeof details.subscription === "string" ? details.subscription : details.subscription.id;
}

/**
 * invoice.paid: a recurring gift's payment, first or renewal. One payment row per invoice, with the
 * service period it pays for, and gross, fee and net from the charge's balance transaction (filled in
 * later by charge.updated if Stripe has not attached it yet). The recurring gift is written too, from
 * the subscription's current state, so the payment always has its gift whatever arrived first.
 */
export const onInvoicePaid: EventHandler<Stripe.InvoicePaidEvent> = async (event, { stripe }) => {
  const subscriptionId = giftSubscriptionOf(event.data.object);
  if (subscriptionId === null) return null;
  const invoice = await stripe.invoices.retrieve(event.data.object.id, { expand: ["payments"] });
  if (invoice.status !== "paid" || invoice.amount_paid === 0) return null;
  const paid = invoice.payments?.data.find((p) => p.status === "paid" && p.payment.type === "payment_intent");
  const paymentIntentRef = paid?.payment.payment_intent;
  if (!paid || !paymentIntentRef) {
    // Paid outside Stripe (marked paid by hand, or a payment record): no money went through Stripe,
    // so there is no payment to record; waiting would never change that.
    log.warn("paid invoice has no Stripe payment; nothing recorded", { invoice: invoice.id, paidOffStripe: invoice.amount_paid_off_stripe ?? null });

    return null;
  }
  const paymentIntent = await stripe.paymentIntents.retrieve(typeof paymentIntentRef === "string" ? paymentIntentRef : paymentIntentRef.id, {
    expand: ["latest_charge.balance_transaction"],
  });
  const charge = paymentIntent.latest_charge;
  if (charge === null || typeof charge === "string") throw new Error(`payment intent ${paymentIntent.id} has no expanded charge`);
  if (charge.status !== "succeeded") throw new Error(`charge ${charge.id} of paid invoice ${invoice.id} is ${charge.status}`);
  // The invoice's own snapshot said this is our gift; an edit of the subscription since cannot undo that.
  const facts = await readSubscriptionFacts(stripe, subscriptionId, { knownOurs: true });
  if (facts === null) return null;
  const line = invoice.lines.data.find((l) => l.parent?.type === "subscription_item_details") ?? invoice.lines.data[0];

  return async (tx) => {
    const gift = await upsertRecurringGift(tx, facts);
    await recordInvoicePayment(tx, gift, {
      livemode: invoice.livemode,
      stripeInvoiceId: invoice.id,
      billingReason: invoice.billing_reason,
      periodStart: date(line?.period.start),
      periodEnd: date(line?.period.end),
      stripePaymentIntentId: paymentIntent.id,
      stripeChargeId: charge.id,
      // What this invoice received: one PaymentIntent can pay several invoices, so not the charge's amount.
      amountMinor: paid.amount_paid ?? invoice.amount_paid,
      currency: paid.currency,
      paidAt: date(invoice.status_transitions.paid_at) ?? new Date(charge.created * 1000),
      settlement: settlementOf(charge),
    }, {
      frequency: facts.frequency,
      // The next payment falls when the period this one pays for ends, if the gift goes on.
      nextPaymentAt: facts.status === "active" || facts.status === "past_due" ? date(line?.period.end) : null,
    });
  };
};

/**
 * invoice.payment_failed and invoice.payment_action_required: an attempt to collect a renewal
 * failed or needs the supporter. Each attempt is history, recorded as the event reported it (its
 * attempt count and next retry); the gift's current standing (past due, attempts so far, next
 * attempt) comes from re-reading the subscription and its latest invoice.
 */
export const onInvoicePaymentFailed: EventHandler<Stripe.InvoicePaymentFailedEvent | Stripe.InvoicePaymentActionRequiredEvent> = async (
  event,
  { stripe },
) => {
  const snapshot = event.data.object;
  const subscriptionId = giftSubscriptionOf(snapshot);
  if (subscriptionId === null) return null;
  const facts = await readSubscriptionFacts(stripe, subscriptionId, { knownOurs: true });
  if (facts === null) return null;
  const failure = {
    stripeInvoiceId: snapshot.id,
    attemptCount: snapshot.attempt_count,
    kind: event.type === "invoice.payment_action_required" ? ("authentication_required" as const) : ("declined" as const),
    amountMinor: snapshot.amount_due,
    currency: snapshot.currency,
    nextPaymentAttemptAt: date(snapshot.next_payment_attempt),
    failedAt: new Date(event.created * 1000),
  };

  const updateCardUrl = snapshot.hosted_invoice_url ?? `${env().appUrl}/donate`;

  return async (tx) => {
    const gift = await upsertRecurringGift(tx, facts);
    const isNew = await recordPaymentFailure(tx, gift.id, failure);
    // Tell the supporter only while the gift is still waiting on this invoice, and about its latest
    // attempt: a failure learnt after the renewal was paid, or after a later attempt, is history.
    const stillFailing =
      facts.status === "past_due" && facts.latestInvoiceId === failure.stripeInvoiceId && facts.failedPaymentAttempts <= failure.attemptCount;
    if (isNew && stillFailing) {
      await queuePaymentFailed(tx, {
        supporterId: gift.supporterId,
        stripeInvoiceId: failure.stripeInvoiceId,
        attemptCount: failure.attemptCount,
        amountMinor: failure.amountMinor,
        currency: failure.currency,
        frequency: facts.frequency,
        nextAttemptAt: failure.nextPaymentAttemptAt,
        updateCardUrl,
      });
    }
  };
};

/**
 * invoice.marked_uncollectible and invoice.voided: Stripe gave up on a renewal or paused collection
 * voided it. Nothing is paid; the gift's standing is re-read so it no longer shows attempts pending.
 */
export const onInvoiceClosedUnpaid: EventHandler<Stripe.InvoiceMarkedUncollectibleEvent | Stripe.InvoiceVoidedEvent> = async (event, { stripe }) => {
  const subscriptionId = giftSubscriptionOf(event.data.object);
  if (subscriptionId === null) return null;
  const facts = await readSubscriptionFacts(stripe, subscriptionId, { knownOurs: true });
  if (facts === null) return null;

  return async (tx) => {
    await upsertRecurringGift(tx, facts);
  };
};
