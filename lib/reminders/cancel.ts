import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { reminders } from "@/db/schema";
import { withdrawAddressEmail } from "@/lib/email/outbox";
import { isLocale, type Locale } from "@/lib/i18n/locales";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { reminderEmailKey } from "./due";
import { REMINDER_CANCEL_PURPOSE, reminderIdFromToken } from "./links";

/**
 * What the cancel page shows: `active` (it can still be cancelled), `cancelled`, or `over` (it fell
 * due without an email, or the reader gave, before or after it was sent: nothing is left to send,
 * and a reminder that led to a gift stays on the record as one).
 */
export type ReminderCancelState = "active" | "cancelled" | "over";

export type ReminderForCancel = { reminderId: string; locale: Locale; state: ReminderCancelState };

const localeOf = (locale: string): Locale => (isLocale(locale) ? locale : "en");

function stateOf({ status, gaveAt }: { status: (typeof reminders.$inferSelect)["status"]; gaveAt: Date | null }): ReminderCancelState {
  if (status === "cancelled") return "cancelled";

  return (status === "scheduled" || status === "sent") && gaveAt === null ? "active" : "over";
}

const columns = { id: reminders.id, locale: reminders.locale, status: reminders.status, gaveAt: reminders.gaveAt };

/** The reminder a cancel link names, for its page; null for a token altered or not ours, or a reminder that does not exist. */
export async function readReminderForCancel(token: string | null | undefined): Promise<ReminderForCancel | null> {
  const reminderId = reminderIdFromToken(REMINDER_CANCEL_PURPOSE, token);
  if (reminderId === null) return null;
  const [reminder] = await getDb().select(columns).from(reminders).where(eq(reminders.id, reminderId));
  if (!reminder) return null;

  return { reminderId: reminder.id, locale: localeOf(reminder.locale), state: stateOf(reminder) };
}

/**
 * Cancels the reminder a cancel link names: status `cancelled`, the address erased, and its email
 * withdrawn if it has not gone yet. A sent reminder can be cancelled too (its link then no longer
 * reopens the picker), unless the reader has given since. Idempotent: cancelling again changes
 * nothing. Null, with nothing changed, for a token altered or not ours, or a reminder that does not
 * exist.
 */
export async function cancelReminder(token: string | null | undefined): Promise<ReminderForCancel | null> {
  const reminderId = reminderIdFromToken(REMINDER_CANCEL_PURPOSE, token);
  if (reminderId === null) return null;

  return getDb().transaction(async (tx) => {
    const [reminder] = await tx.select(columns).from(reminders).where(eq(reminders.id, reminderId)).for("update");
    if (!reminder) return null;
    const locale = localeOf(reminder.locale);
    const state = stateOf(reminder);
    if (state !== "active") return { reminderId, locale, state };

    await tx.update(reminders).set({ status: "cancelled", cancelledAt: sql`now()`, email: null }).where(eq(reminders.id, reminderId));
    const withdrawn = await withdrawAddressEmail(tx, reminderEmailKey(reminderId));
    log.info("reminder cancelled", { reminderId, was: reminder.status, outboxWithdrawn: withdrawn });

    return { reminderId, locale, state: "cancelled" };
  });
}

/** The cancel page for a token, where the form and every answer to it lead. */
export const cancelPageUrl = (token: string, locale?: Locale) =>
  `${env().appUrl}/reminders/cancel?token=${encodeURIComponent(token)}${locale ? `&lang=${locale}` : ""}`;
