import { formatMoneyExact } from "@/lib/money";
import { MESSAGES, type Locale, type Messages, resolveLocale } from "./messages";

/** What renderEmail is given beside the props: the supporter's locale and the newsroom's details. */
export type RenderContext = { locale: string; newsroomName: string; appUrl: string };

/** A template's component takes its props and, optionally, the context (defaults for previews). */
export type TemplateProps<P> = P & Partial<RenderContext>;

export const PREVIEW_CONTEXT: RenderContext = { locale: "en", newsroomName: "Readerfund Demo Newsroom", appUrl: "http://localhost:3000" };

// Intl locales per email locale: English dates day-first ("12 December 2026"), as on our pages;
// Russian ones without Intl's trailing «г.», which would double the full stop of a sentence ending
// in a date ("завершится 1 мая 2026 г..").
const INTL: Record<Locale, { money: string; date: string; tidyDate: (formatted: string) => string }> = {
  en: { money: "en", date: "en-GB", tidyDate: (formatted) => formatted },
  ru: { money: "ru", date: "ru", tidyDate: (formatted) => formatted.replace(/\s*г\./g, "") },
};

/** Everything a template needs to write in the supporter's language. */
export type Kit = {
  locale: Locale;
  t: Messages;
  newsroom: string;
  /** Integer minor units → "€25.00" / "25,00 €". */
  money: (amountMinor: number, currency: string) => string;
  /** ISO timestamp → its calendar date in UTC: "12 December 2026" / "12 декабря 2026". */
  date: (iso: string) => string;
  /** Two ISO timestamps → "1 December 2026 – 1 January 2027". */
  dateRange: (fromIso: string, toIso: string) => string;
};

export function kitFor(context: Partial<RenderContext>): Kit {
  const locale = resolveLocale(context.locale ?? PREVIEW_CONTEXT.locale);
  const intl = INTL[locale];
  const dates = new Intl.DateTimeFormat(intl.date, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  const parse = (iso: string) => {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${JSON.stringify(iso)}`);

    return date;
  };

  return {
    locale,
    t: MESSAGES[locale],
    // One line, whatever the configuration holds: it goes into subjects.
    newsroom: (context.newsroomName ?? PREVIEW_CONTEXT.newsroomName).replace(/\s+/g, " ").trim(),
    money: (amountMinor, currency) => formatMoneyExact(amountMinor, currency, intl.money),
    date: (iso) => intl.tidyDate(dates.format(parse(iso))),
    dateRange: (fromIso, toIso) => intl.tidyDate(dates.formatRange(parse(fromIso), parse(toIso))),
  };
}
