/**
 * Which actions a recurring gift allows in each of its states: the one place the manage page and
 * the account page ask what to offer, and the actions ask what to refuse (they check again on the
 * gift as the ledger holds it when the action runs).
 *
 * - active: change the amount or frequency, pause, cancel at the period end, update the card.
 * - past_due (a renewal failed): update the card, which is what brings it back, or cancel, which
 *   ends it at once (the period was never paid for, and Stripe must not try the card again).
 * - paused: resume early, or cancel (at the period end, the pause lifted: nothing is taken).
 * - cancelling (ends at the period end): undo the cancellation.
 * - ended, incomplete, unknown: nothing (an ended gift is started again by giving again).
 */

export type RecurringGiftAction = "change" | "pause" | "resume" | "cancel" | "undo_cancel" | "update_card";

export type GiftState = {
  status: "incomplete" | "active" | "past_due" | "paused" | "cancelling" | "ended" | "unknown";
  frequency: "once" | "monthly" | "annual" | null;
};

const BY_STATUS: Record<GiftState["status"], readonly RecurringGiftAction[]> = {
  active: ["change", "pause", "cancel", "update_card"],
  // Cancelling is never refused while a gift can still take money: leaving must be as easy as
  // giving, whatever state the gift is in (online cancellation is the law in several places).
  past_due: ["update_card", "cancel"],
  paused: ["resume", "cancel"],
  cancelling: ["undo_cancel"],
  ended: [],
  incomplete: [],
  unknown: [],
};

export function allowedActions(gift: GiftState): readonly RecurringGiftAction[] {
  // A gift whose interval we do not offer (changed by hand in Stripe's dashboard) is changed there,
  // not here: our forms only speak monthly and annual.
  const actions = BY_STATUS[gift.status];

  return gift.frequency === "monthly" || gift.frequency === "annual" ? actions : actions.filter((action) => action !== "change" && action !== "pause");
}

export function allows(gift: GiftState, action: RecurringGiftAction): boolean {
  return allowedActions(gift).includes(action);
}

/** How long a pause may be, in months. */
export const PAUSE_MONTHS = [1, 2, 3] as const;
export type PauseMonths = (typeof PAUSE_MONTHS)[number];

/**
 * When a paused gift starts again: its own period end plus the months chosen, as calendar months in
 * UTC (the 31st becomes the month's last day), so the renewals in between are skipped and the one
 * after is taken as usual.
 */
export function resumesAtFor(currentPeriodEnd: Date, months: PauseMonths): Date {
  const year = currentPeriodEnd.getUTCFullYear();
  const month = currentPeriodEnd.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(currentPeriodEnd.getUTCDate(), lastDay);

  return new Date(
    Date.UTC(year, month, day, currentPeriodEnd.getUTCHours(), currentPeriodEnd.getUTCMinutes(), currentPeriodEnd.getUTCSeconds()),
  );
}

/** Stripe's own reasons a supporter may give for cancelling (cancellation_details.feedback). */
export const CANCEL_FEEDBACK = [
  "too_expensive",
  "unused",
  "switched_service",
  "customer_service",
  "low_quality",
  "missing_features",
  "too_complex",
  "other",
] as const;
export type CancelFeedback = (typeof CANCEL_FEEDBACK)[number];
