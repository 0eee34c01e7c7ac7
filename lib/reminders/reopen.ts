import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { reminders } from "@/db/schema";
import type { Frequency } from "@/lib/gifts/presets";
import { isLocale, type Locale } from "@/lib/i18n/locales";
import { type GiftCurrency, isGiftCurrency, minorToInput } from "@/lib/money";
import { REMINDER_LINK_PURPOSE, reminderIdFromToken } from "./links";

/** The picker as the reader left it when they asked to be reminded, as a form holds it. */
export type ReminderPickerState = {
  reminderId: string;
  frequency: Frequency;
  currency: GiftCurrency;
  /** As the amount field holds it: "25", "25.50". */
  amount: string;
  coverFee: boolean;
  articleUrl: string | null;
  section: string | null;
  campaign: string | null;
  variant: string | null;
  locale: Locale;
};

/**
 * Reads the picker a reminder's link (/donate?reminder=<token>) reopens. Null for a token that is
 * not ours or was altered, and for a reminder that does not exist or was cancelled (the reader
 * asked us to forget it).
 */
export async function readReminderForPicker(token: string): Promise<ReminderPickerState | null> {
  const reminderId = reminderIdFromToken(REMINDER_LINK_PURPOSE, token);
  if (reminderId === null) return null;
  const [reminder] = await getDb().select().from(reminders).where(eq(reminders.id, reminderId));
  if (!reminder || reminder.status === "cancelled" || !isGiftCurrency(reminder.currency)) return null;

  return {
    reminderId: reminder.id,
    frequency: reminder.frequency,
    currency: reminder.currency,
    amount: minorToInput(reminder.amountMinor, reminder.currency),
    coverFee: reminder.coverFee,
    articleUrl: reminder.articleUrl,
    section: reminder.section,
    campaign: reminder.campaign,
    variant: reminder.variant,
    locale: isLocale(reminder.locale) ? reminder.locale : "en",
  };
}
