import type { Locale } from "./index";
import { fill } from "./fill";
import type { Messages } from "./en";
import { formatMoneyExact } from "@/lib/money";

/** A date as readers read it: "12 December 2026", "12 декабря 2026 г." (UTC: we do not know the reader's zone). */
export function formatDate(date: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === "en" ? "en-GB" : locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(date);
}

/** "monthly gift of €10.00", for "Your … has been set up". */
export function describeRecurring(m: Messages, amountMinor: number, currency: string, interval: string, intervalCount: number, locale: Locale): string {
  const amount = formatMoneyExact(amountMinor, currency, locale);
  const kind = intervalCount === 1 && interval === "month" ? "monthly" : intervalCount === 1 && interval === "year" ? "annual" : "other";

  return fill(m.thanks.recurringGift[kind], { amount });
}
