import type { Frequency } from "./presets";

export type RecurringFrequency = Exclude<Frequency, "once">;

/** How each recurring frequency is billed by Stripe (one interval, every time). */
export const STRIPE_INTERVAL: Record<RecurringFrequency, "month" | "year"> = { monthly: "month", annual: "year" };

export function isRecurring(frequency: Frequency): frequency is RecurringFrequency {
  return frequency !== "once";
}

export type NextPayment = { kind: "next-payment"; on: Date } | { kind: "ends"; on: Date };

/**
 * When the next payment will be taken, as far as we can say: at the end of the current period
 * while the gift is active; or when the gift ends, if it is set to. Null otherwise (a failing or
 * ended gift has no date to promise).
 */
export function nextPaymentOf(gift: {
  status: string;
  currentPeriodEnd: Date | null;
  cancelAt: Date | null;
}): NextPayment | null {
  if (gift.status === "cancelling") {
    const on = gift.cancelAt ?? gift.currentPeriodEnd;

    return on ? { kind: "ends", on } : null;
  }
  if (gift.status === "active" && gift.currentPeriodEnd) return { kind: "next-payment", on: gift.currentPeriodEnd };

  return null;
}

/** The same from a Stripe subscription as Checkout left it (before our ledger has the gift). */
export function nextPaymentOfSubscription(subscription: {
  status: string;
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  items: { data: Array<{ current_period_end: number }> };
}): NextPayment | null {
  const periodEnd = subscription.items.data[0]?.current_period_end;
  const scheduledToEnd = subscription.cancel_at !== null || subscription.cancel_at_period_end;

  return nextPaymentOf({
    status: subscription.status === "active" && scheduledToEnd ? "cancelling" : subscription.status,
    currentPeriodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
    cancelAt: subscription.cancel_at ? new Date(subscription.cancel_at * 1000) : null,
  });
}
