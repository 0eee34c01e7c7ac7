import { randomUUID } from "node:crypto";
import { AVAILABLE_FREQUENCIES, type Frequency } from "@/lib/gifts/presets";
import { pickerErrorMessage } from "@/lib/gifts/picker-errors";
import { GIFT_CURRENCIES, type GiftCurrency, isGiftCurrency } from "@/lib/money";

export type SearchParams = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * The picker's starting state from the URL (a cancelled checkout comes back with what the reader
 * had chosen). Anything unrecognised falls back to the defaults rather than failing the page.
 */
export function pickerStateFrom(params: SearchParams) {
  const frequencyParam = first(params.frequency);
  const currencyParam = first(params.currency)?.toLowerCase();
  const amountParam = first(params.amount);
  const frequency: Frequency = AVAILABLE_FREQUENCIES.includes(frequencyParam as Frequency) ? (frequencyParam as Frequency) : "once";
  const currency: GiftCurrency = currencyParam && isGiftCurrency(currencyParam) ? currencyParam : GIFT_CURRENCIES[0];
  const amount = amountParam && /^[\d.,]{1,12}$/.test(amountParam) ? amountParam : null;
  const error = first(params.error);

  return {
    attemptId: randomUUID(),
    initial: { frequency, currency, amount },
    cancelled: first(params.cancelled) === "1",
    serverError: error ? pickerErrorMessage(error, currency) : null,
  };
}
