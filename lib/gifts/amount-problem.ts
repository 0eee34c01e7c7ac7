import type { Messages } from "@/lib/i18n";
import { fill } from "@/lib/i18n/fill";
import { CURRENCY_RULES, formatMoneyExact, type GiftCurrency, readGiftAmount } from "@/lib/money";

/**
 * Why a typed amount cannot be given, in the page's language, naming what was typed and the range,
 * as the giving box says it (the shared schemas' messages are English); null if the amount itself is
 * fine. Browser-safe: the recurring gift's change form calls it as the reader types.
 */
export function amountProblem(typed: string, currency: GiftCurrency, locale: string, text: Messages["picker"]["amount"]): string | null {
  const read = readGiftAmount(typed, currency);
  if (read.ok) return null;
  const rules = CURRENCY_RULES[currency];
  const money = (minor: number) => formatMoneyExact(minor, currency, locale);

  return fill(text[read.problem], { min: money(rules.minMinor), max: money(rules.maxMinor), amount: read.amountMinor === undefined ? "" : money(read.amountMinor) });
}
