import type { Locale } from "./index";
import { fill } from "./fill";
import type { Messages } from "./en";
import { formatMoneyExact } from "@/lib/money";

// English dates day-first ("12 December 2026"); Russian ones without Intl's trailing «г.», which
// would double the full stop of a sentence ending in a date ("завершится 1 мая 2026 г..").
const DATE_INTL: Record<Locale, string> = { en: "en-GB", ru: "ru" };
const tidy = (formatted: string, locale: Locale) => (locale === "ru" ? formatted.replace(/\s*г\./g, "") : formatted);
const dates = (locale: Locale) => new Intl.DateTimeFormat(DATE_INTL[locale], { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** A calendar date as readers read it, in UTC (we do not know the reader's zone): pages and emails alike. */
export function formatDate(date: Date, locale: Locale): string {
  return tidy(dates(locale).format(date), locale);
}

/** "1 December 2026 – 1 January 2027". */
export function formatDateRange(from: Date, to: Date, locale: Locale): string {
  return tidy(dates(locale).formatRange(from, to), locale);
}

/** "monthly gift of €10.00", for "Your … has been set up". */
export function describeRecurring(m: Messages, amountMinor: number, currency: string, interval: string, intervalCount: number, locale: Locale): string {
  const amount = formatMoneyExact(amountMinor, currency, locale);
  const kind = intervalCount === 1 && interval === "month" ? "monthly" : intervalCount === 1 && interval === "year" ? "annual" : "other";

  return fill(m.thanks.recurringGift[kind], { amount });
}
