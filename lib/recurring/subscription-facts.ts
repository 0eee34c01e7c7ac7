import type Stripe from "stripe";
import { databaseNow } from "@/db/queries/clock";
import { type Attribution, type GiftOptions, readGiftMetadata } from "@/lib/stripe/metadata";
import { frequencyOf, type RecurringGiftStatus, recurringGiftStatusOf } from "./status";

/** Everything the ledger keeps about a subscription, read from Stripe's current state. */
export type SubscriptionFacts = {
  livemode: boolean;
  stripeSubscriptionId: string;
  stripeCustomerId: string;
  supporter: { email: string; name: string | null; locale: string | null } | null;
  frequency: "monthly" | "annual" | null;
  interval: "day" | "week" | "month" | "year";
  intervalCount: number;
  amountMinor: number;
  currency: string;
  status: RecurringGiftStatus;
  statusReason: string | null;
  stripeStatus: string;
  cancellationFeedback: string | null;
  startedAt: Date;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAt: Date | null;
  canceledAt: Date | null;
  endedAt: Date | null;
  pausedUntil: Date | null;
  failedPaymentAttempts: number;
  nextPaymentAttemptAt: Date | null;
  /** The card renewals are charged to (a card update shows as a change here). */
  paymentMethodId?: string | null;
  /** The subscription's latest invoice, which the failed-attempt figures above are about. */
  latestInvoiceId: string | null;
  attribution: Attribution;
  options: GiftOptions;
  /**
   * When the read of this state began, by the database's clock: a later read wins, whatever order
   * the writes land in.
   */
  syncedAt: Date;
};

const date = (unix: number | null | undefined) => (unix === null || unix === undefined ? null : new Date(unix * 1000));
const INTERVALS = new Set(["day", "week", "month", "year"]);

/**
 * Reads a subscription's current state from Stripe (with its customer and latest invoice) and turns
 * it into ledger facts; null when the subscription is not a gift of ours (another integration on the
 * same Stripe account). `knownOurs` is for a caller that already knows from a fact that cannot change
 * (an invoice's snapshot of the metadata the subscription had when it billed), so a later edit of the
 * subscription's metadata cannot make us drop a payment.
 */
export async function readSubscriptionFacts(
  stripe: Stripe,
  subscriptionId: string,
  options: { knownOurs?: boolean } = {},
): Promise<SubscriptionFacts | null> {
  const syncedAt = await databaseNow();
  const subscription = await stripe.subscriptions.retrieve(subscriptionId, { expand: ["customer", "latest_invoice"] });

  return subscriptionFacts(subscription, syncedAt, options);
}

export function subscriptionFacts(subscription: Stripe.Subscription, syncedAt: Date, options: { knownOurs?: boolean } = {}): SubscriptionFacts | null {
  const { isOurs, attribution, options: giftOptions } = readGiftMetadata(subscription.metadata);
  if (!isOurs && !options.knownOurs) return null;
  const items = subscription.items.data;
  const first = items[0];
  if (!first) throw new Error(`subscription ${subscription.id} has no items`);
  const recurring = first.price.recurring;
  if (!recurring || !INTERVALS.has(recurring.interval)) throw new Error(`subscription ${subscription.id}: price ${first.price.id} is not recurring`);
  let amountMinor = 0;
  for (const item of items) amountMinor += unitAmountOf(item.price) * (item.quantity ?? 1);

  const customer = subscription.customer;
  const customerId = typeof customer === "string" ? customer : customer.id;
  const email = typeof customer !== "string" && !customer.deleted ? customer.email : null;
  const name = typeof customer !== "string" && !customer.deleted ? customer.name ?? null : null;

  // At risk: the latest invoice is still open after failed attempts (Stripe will try again, or not).
  const invoice = subscription.latest_invoice;
  const openInvoice = invoice !== null && typeof invoice !== "string" && invoice.status === "open" ? invoice : null;
  const { status, reason } = recurringGiftStatusOf(subscription);

  return {
    livemode: subscription.livemode,
    stripeSubscriptionId: subscription.id,
    stripeCustomerId: customerId,
    // A discreet giver who asked for no email: we keep no address or name (Stripe holds them).
    supporter: email && giftOptions.discreet !== "silent" ? { email, name, locale: attribution.locale } : null,
    frequency: frequencyOf(recurring.interval, recurring.interval_count),
    interval: recurring.interval as SubscriptionFacts["interval"],
    intervalCount: recurring.interval_count,
    amountMinor,
    currency: subscription.currency,
    status,
    statusReason: reason,
    stripeStatus: subscription.status,
    cancellationFeedback: subscription.cancellation_details?.feedback ?? null,
    startedAt: new Date(subscription.start_date * 1000),
    currentPeriodStart: date(first.current_period_start),
    currentPeriodEnd: date(first.current_period_end),
    cancelAt: date(subscription.cancel_at),
    canceledAt: date(subscription.canceled_at),
    endedAt: date(subscription.ended_at),
    pausedUntil: date(subscription.pause_collection?.resumes_at),
    failedPaymentAttempts: openInvoice && openInvoice.attempt_count > 0 ? openInvoice.attempt_count : 0,
    nextPaymentAttemptAt: openInvoice ? date(openInvoice.next_payment_attempt) : null,
    paymentMethodId: paymentMethodOf(subscription),
    latestInvoiceId: invoice === null ? null : typeof invoice === "string" ? invoice : invoice.id,
    attribution,
    options: giftOptions,
    syncedAt,
  };
}

/**
 * A price's amount in whole minor units. Our prices always have `unit_amount`; one edited in
 * Stripe's dashboard to a decimal amount is rounded for the gift's nominal amount only (payments
 * record what was actually charged), and one with neither (tiered) reads as 0 rather than blocking
 * the gift's events.
 */
function unitAmountOf(price: Stripe.Price): number {
  if (price.unit_amount !== null) return price.unit_amount;
  const decimal = price.unit_amount_decimal === null ? Number.NaN : Number(price.unit_amount_decimal);

  return Number.isFinite(decimal) ? Math.round(decimal) : 0;
}

/** The card a subscription is charged to: its own default, else its customer's (when expanded). */
export function paymentMethodOf(subscription: Stripe.Subscription): string | null {
  const own = subscription.default_payment_method;
  if (own) return typeof own === "string" ? own : own.id;
  const customer = subscription.customer;
  if (typeof customer === "string" || customer.deleted) return null;
  const fallback = customer.invoice_settings?.default_payment_method;

  return fallback ? (typeof fallback === "string" ? fallback : fallback.id) : null;
}
