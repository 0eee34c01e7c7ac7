import { CURRENCY_RULES, formatMoneyExact, type GiftCurrency, parseAmountToMinor } from "@/lib/money";
import type { Frequency } from "./presets";

export type RecurringFrequency = Exclude<Frequency, "once">;

/** How each recurring frequency is billed by Stripe (one interval, every time). */
export const STRIPE_INTERVAL: Record<RecurringFrequency, "month" | "year"> = { monthly: "month", annual: "year" };

export function isRecurring(frequency: Frequency): frequency is RecurringFrequency {
  return frequency !== "once";
}

/** "per month" beside a preset amount; nothing for a one-time gift. */
export const PER_PERIOD: Record<Frequency, string | null> = { once: null, monthly: "per month", annual: "per year" };

const EVERY: Record<Frequency, string> = { once: "once", monthly: "every month", annual: "every year" };

/**
 * What Continue will do, in the button's own words: "Continue: €10.00 every month". Just
 * "Continue" while the amount typed is not one we would accept, so the button never names an
 * amount that will not be charged.
 */
export function continueLabel(frequency: Frequency, amount: string | undefined, currency: GiftCurrency): string {
  const minor = amount === undefined ? null : parseAmountToMinor(amount, currency);
  const rules = CURRENCY_RULES[currency];
  if (minor === null || minor < rules.minMinor || minor > rules.maxMinor) return "Continue";

  return `Continue: ${formatMoneyExact(minor, currency)} ${EVERY[frequency]}`;
}

const ADJECTIVES: Partial<Record<string, string>> = { day: "daily", week: "weekly", month: "monthly", year: "annual" };

/**
 * A recurring gift for "Your …": "monthly gift of €10.00", "annual gift of €100.00", and for a
 * subscription someone changed by hand in Stripe's dashboard, "gift of €10.00 every 2 weeks".
 */
export function describeRecurringGift(amountMinor: number, currency: string, interval: string, intervalCount: number): string {
  const amount = formatMoneyExact(amountMinor, currency);
  const adjective = ADJECTIVES[interval];
  if (intervalCount === 1 && adjective) return `${adjective} gift of ${amount}`;

  return intervalCount === 1 ? `gift of ${amount} every ${interval}` : `gift of ${amount} every ${intervalCount} ${interval}s`;
}

/** A payment date as readers read it: "12 December 2026" (in UTC: we do not know the reader's zone). */
export function formatPaymentDate(date: Date): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(date);
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
