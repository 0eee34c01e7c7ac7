import type Stripe from "stripe";
import type { Transaction } from "@/db";
import { recordOneTimeGift } from "@/lib/gifts/record-gift";
import { log } from "@/lib/log";
import { upsertRecurringGift } from "@/lib/recurring/record";
import { readSubscriptionFacts } from "@/lib/recurring/subscription-facts";
import { recordReminderOutcome } from "@/lib/reminders/conversion";
import { type GiftOptions, readGiftMetadata } from "../metadata";
import type { EventHandler } from "./event-handler";
import { settlementOf } from "./settlement";

/**
 * checkout.session.completed: the donor finished Checkout. For a paid one-time gift we record the
 * supporter, the gift and its payment (gross, fee and net from the balance transaction). The
 * session is re-fetched, expanded down to the balance transaction, so the facts are current
 * whatever order events arrive in. Unpaid sessions (delayed methods) wait for async_payment_succeeded.
 * For a recurring gift the session links the subscription to the page the reader returns to; the
 * gift itself is written from the subscription, and its payments from invoice.paid.
 */
export const onCheckoutSessionCompleted: EventHandler<Stripe.CheckoutSessionCompletedEvent> = (event, deps) =>
  fulfilCheckoutSession(event.data.object.id, deps.stripe);

/** checkout.session.async_payment_succeeded: a delayed payment method settled; same as above. */
export const onCheckoutSessionAsyncPaymentSucceeded: EventHandler<Stripe.CheckoutSessionAsyncPaymentSucceededEvent> = (event, deps) =>
  fulfilCheckoutSession(event.data.object.id, deps.stripe);

async function fulfilCheckoutSession(sessionId: string, stripe: Stripe) {
  const session = await stripe.checkout.sessions.retrieve(sessionId, {
    expand: ["payment_intent.latest_charge.balance_transaction"],
  });
  const { isOurs, frequency, attribution, options } = readGiftMetadata(session.metadata);
  if (!isOurs) {
    // Another integration on the same Stripe account (a shop, an event ticket): not a gift.
    log.info("checkout session is not a gift; ignored", { session: session.id });

    return null;
  }
  if (session.mode === "subscription") return linkSubscriptionSession(session, stripe);
  if (session.mode !== "payment") {
    log.info("checkout session not a one-time payment; nothing to record here", { session: session.id, mode: session.mode });

    return null;
  }
  if (session.status !== "complete" || session.payment_status !== "paid") {
    log.info("checkout session not paid yet", { session: session.id, status: session.status, paymentStatus: session.payment_status });

    return null;
  }
  const paymentIntent = session.payment_intent;
  if (paymentIntent === null || typeof paymentIntent === "string") throw new Error(`session ${session.id} has no expanded payment intent`);
  const charge = paymentIntent.latest_charge;
  if (charge === null || typeof charge === "string") throw new Error(`payment intent ${paymentIntent.id} has no expanded charge`);
  if (charge.status !== "succeeded") throw new Error(`charge ${charge.id} of a paid session is ${charge.status}`);
  if (session.amount_total === null || session.currency === null) throw new Error(`session ${session.id} has no amount`);

  const customerId = typeof session.customer === "string" ? session.customer : (session.customer?.id ?? null);
  const email = session.customer_details?.email ?? session.customer_email ?? null;

  const facts = {
    livemode: session.livemode,
    // A discreet giver who asked for no email: we keep no address or name (Stripe holds them).
    supporter: email && options.discreet !== "silent" ? { email, name: session.customer_details?.name ?? null, locale: attribution.locale } : null,
    stripeCustomerId: customerId,
    gift: {
      stripeCheckoutSessionId: session.id,
      frequency: frequency ?? "once",
      amountMinor: session.amount_total,
      currency: session.currency,
      givenAt: new Date(charge.created * 1000),
      attribution,
      options,
    },
    payment: {
      stripePaymentIntentId: paymentIntent.id,
      stripeChargeId: charge.id,
      amountMinor: charge.amount,
      currency: charge.currency,
      paidAt: new Date(charge.created * 1000),
      settlement: settlementOf(charge),
    },
  };

  return async (tx: Transaction) => {
    await recordOneTimeGift(tx, facts);
    // The address is only compared here, never kept for a discreet gift.
    await recordReminderOutcome(tx, { ...reminderKeys(options), email, checkoutSessionId: session.id, at: facts.gift.givenAt });
  };
}

async function linkSubscriptionSession(session: Stripe.Checkout.Session, stripe: Stripe) {
  if (session.status !== "complete" || session.subscription === null) {
    log.info("subscription checkout session not complete yet", { session: session.id, status: session.status });

    return null;
  }
  const subscriptionId = typeof session.subscription === "string" ? session.subscription : session.subscription.id;
  const facts = await readSubscriptionFacts(stripe, subscriptionId);
  if (facts === null) return null;

  const email = session.customer_details?.email ?? session.customer_email ?? null;

  return async (tx: Transaction) => {
    await upsertRecurringGift(tx, facts, session.id);
    await recordReminderOutcome(tx, { ...reminderKeys(facts.options), email, checkoutSessionId: session.id, at: facts.startedAt });
  };
}

const reminderKeys = (options: GiftOptions) => ({ reminderId: options.reminderId, visitorId: options.visitorId });
