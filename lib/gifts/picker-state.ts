import { randomUUID } from "node:crypto";
import { type Locale, localeFrom, messagesFor, fill } from "@/lib/i18n";
import { FREQUENCIES, type Frequency } from "@/lib/gifts/presets";
import { CURRENCY_RULES, formatMoneyExact, type GiftCurrency } from "@/lib/money";
import { pickCurrency } from "@/lib/widget/currency";

export type SearchParams = Record<string, string | string[] | undefined>;

export const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * The picker's starting state from the URL (a cancelled checkout comes back with what the reader
 * had chosen) and, for the currency, the reader's country as the CDN reports it. Anything
 * unrecognised falls back to the defaults rather than failing the page.
 */
export function pickerStateFrom(params: SearchParams, context: { headers?: Headers; locale?: Locale } = {}) {
  const frequencyParam = first(params.frequency);
  const amountParam = first(params.amount);
  const locale = context.locale ?? localeFrom(first(params.lang)) ?? "en";
  const frequency: Frequency = FREQUENCIES.includes(frequencyParam as Frequency) ? (frequencyParam as Frequency) : "once";
  const currency: GiftCurrency = pickCurrency(first(params.currency), context.headers ?? new Headers());
  const amount = amountParam && /^[\d.,]{1,12}$/.test(amountParam) ? amountParam : null;
  const error = first(params.error);

  return {
    attemptId: randomUUID(),
    locale,
    initial: { frequency, currency, amount, coverFee: first(params.cover) === "1", discreet: first(params.discreet) === "1" },
    cancelled: first(params.cancelled) === "1",
    serverError: error ? pickerErrorMessage(error, currency, locale) : null,
  };
}

/** The message for an error code; unknown codes get the general one, whatever the URL says. */
export function pickerErrorMessage(code: string, currency: GiftCurrency, locale: Locale = "en"): string {
  const m = messagesFor(locale).errors;
  const rules = CURRENCY_RULES[currency];
  switch (code) {
    case "amount":
      return fill(m.amount, { min: formatMoneyExact(rules.minMinor, currency, locale), max: formatMoneyExact(rules.maxMinor, currency, locale) });
    case "frequency":
      return m.frequency;
    case "currency":
      return m.currency;
    case "provider":
      return m.provider;
    case "limited":
      return m.limited;
    default:
      return m.form;
  }
}
