import { formatDate, formatDateRange } from "@/lib/i18n/format";
import { formatMoneyExact } from "@/lib/money";
import { MESSAGES, type Locale, type Messages, resolveLocale } from "./messages";

/** What renderEmail is given beside the props: the supporter's locale and the newsroom's details. */
export type RenderContext = { locale: string; newsroomName: string; appUrl: string };

/** A template's component takes its props and, optionally, the context (defaults for previews). */
export type TemplateProps<P> = P & Partial<RenderContext>;

export const PREVIEW_CONTEXT: RenderContext = { locale: "en", newsroomName: "Readerfund Demo Newsroom", appUrl: "http://localhost:3000" };


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
    money: (amountMinor, currency) => formatMoneyExact(amountMinor, currency, locale),
    // The same dates as our pages write.
    date: (iso) => formatDate(parse(iso), locale),
    dateRange: (fromIso, toIso) => formatDateRange(parse(fromIso), parse(toIso), locale),
  };
}
