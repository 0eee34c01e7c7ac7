import type Stripe from "stripe";

export type RecurringGiftStatus = "incomplete" | "active" | "past_due" | "paused" | "cancelling" | "ended" | "unknown";

type SubscriptionState = Pick<
  Stripe.Subscription,
  "status" | "pause_collection" | "cancel_at" | "cancel_at_period_end" | "cancellation_details"
>;

/**
 * Our status for a recurring gift from Stripe's subscription. Every status Stripe documents for
 * the pinned API version is mapped on purpose; one added later reads as `unknown`, which nothing
 * counts as active.
 */
export function recurringGiftStatusOf(subscription: SubscriptionState): { status: RecurringGiftStatus; reason: string | null } {
  const scheduledToEnd = subscription.cancel_at !== null || subscription.cancel_at_period_end;
  const status = subscription.status;
  switch (status) {
    case "active":
    case "trialing":
      if (subscription.pause_collection) return { status: "paused", reason: "collection_paused" };
      if (scheduledToEnd) return { status: "cancelling", reason: subscription.cancellation_details?.reason ?? "cancellation_requested" };

      return { status: "active", reason: status === "trialing" ? "trialing" : null };
    case "past_due":
      return { status: "past_due", reason: "payment_failed" };
    case "unpaid":
      // Retries ran out and the account is set to leave the subscription unpaid rather than cancel it.
      return { status: "past_due", reason: "retries_exhausted" };
    case "paused":
      // A trial that ended without a payment method; no money is collected until it resumes.
      return { status: "paused", reason: "trial_ended_without_payment_method" };
    case "incomplete":
      return { status: "incomplete", reason: "first_payment_pending" };
    case "incomplete_expired":
      return { status: "ended", reason: "incomplete_expired" };
    case "canceled":
      return { status: "ended", reason: subscription.cancellation_details?.reason ?? "canceled" };
    default:
      // The SDK types statuses as an open set (new ones arrive with new API versions), so this
      // branch is real: fail closed.
      return { status: "unknown", reason: `stripe_status:${status}` };
  }
}

/** Our frequency for Stripe's billing interval, or null for one we do not offer. */
export function frequencyOf(interval: string, intervalCount: number): "monthly" | "annual" | null {
  if (intervalCount !== 1) return null;
  if (interval === "month") return "monthly";
  if (interval === "year") return "annual";

  return null;
}
