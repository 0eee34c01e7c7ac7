import { CURRENCY_RULES, formatMoneyExact, type GiftCurrency } from "@/lib/money";

/** What a plain form post can be sent back to the picker with (`/donate?error=…`). */
export const PICKER_ERRORS = ["amount", "frequency", "currency", "provider", "form"] as const;
export type PickerError = (typeof PICKER_ERRORS)[number];

export function pickerErrorFor(field: string | undefined): PickerError {
  return field === "amount" || field === "frequency" || field === "currency" ? field : "form";
}

/** The message for an error code; unknown codes get the general one, whatever the URL says. */
export function pickerErrorMessage(code: string, currency: GiftCurrency): string {
  const rules = CURRENCY_RULES[currency];
  switch (code) {
    case "amount":
      return `Enter an amount between ${formatMoneyExact(rules.minMinor, currency)} and ${formatMoneyExact(rules.maxMinor, currency)}.`;
    case "frequency":
      return "Choose how often to give: once, monthly or annual.";
    case "currency":
      return "Choose a currency: EUR, USD or GBP.";
    case "provider":
      return "We could not reach our payment provider. Nothing was charged; please try again.";
    default:
      return "Check the form and try again.";
  }
}
