import { feeToCover } from "@/lib/gifts/fees";
import { fill } from "@/lib/i18n/fill";
import { CURRENCY_RULES, formatMoney, minorToInput, readGiftAmount } from "@/lib/money";
import type { PickerClientConfig } from "@/lib/widget/picker-view";

export type Frequency = "once" | "monthly" | "annual";
export type Currency = keyof typeof CURRENCY_RULES;

/**
 * One picker on the page: its elements, its messages, and what the reader has chosen so far, read
 * from the form itself (the form is the state: nothing is kept beside it that could disagree).
 */
export type Picker = ReturnType<typeof pickerOf>;

export function pickerOf(section: HTMLElement) {
  const $ = <T extends Element = HTMLElement>(selector: string) => section.querySelector<T>(selector)!;
  const config = JSON.parse($("[data-rf-config]").textContent!) as PickerClientConfig;
  const form = $<HTMLFormElement>("[data-rf-form]");
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  const custom = field("customAmount");
  const currencySelect = form.elements.namedItem("currency") as HTMLSelectElement;
  const frequency = () => (form.querySelector<HTMLInputElement>("input[name=frequency]:checked")?.value ?? "once") as Frequency;
  const currency = () => currencySelect.value as Currency;
  const amountText = () => custom.value.trim() || (form.querySelector<HTMLInputElement>("input[name=amount]:checked")?.value ?? "");
  // Whole amounts without decimals ("€25", "€0.63"): short enough for Continue to fit on one line.
  const money = (minor: number) => formatMoney(minor, currency(), config.locale);
  // The same money code as the server's (lib/money.ts, lib/gifts/fees.ts): one parser, one fee.
  const fee = (minor: number) => feeToCover(minor, currency());
  /** The charge for a gift of `minor`: with the card fee when the reader chose to cover it. */
  const withFee = (minor: number) => minor + (field("coverFee").checked ? fee(minor) : 0);

  return {
    section,
    $,
    config,
    m: config.m,
    form,
    field,
    custom,
    status: $("[data-rf-status]"),
    amountError: $("[data-rf-error=amount]"),
    continueButton: $<HTMLButtonElement>("[data-rf-continue]"),
    idPrefix: custom.id.replace(/-custom$/, ""),
    /** A Checkout Session is being asked for: Continue is disabled and keeps saying so. */
    busy: false,
    frequency,
    currency,
    amountText,
    money,
    fee,
    withFee,
    toInput: (minor: number) => minorToInput(minor, currency()),
    /** The amount typed or chosen, in minor units, or null when it is not one we accept. */
    amountMinor: (): number | null => {
      const read = readGiftAmount(amountText(), currency());

      return read.ok ? read.amountMinor : null;
    },
    /** Why the amount cannot be given, in the reader's language, naming what they typed and the range; null when it can. */
    amountProblem: (): string | null => {
      const rules = CURRENCY_RULES[currency()];
      const read = readGiftAmount(amountText(), currency());
      if (read.ok) return withFee(read.amountMinor) > rules.maxMinor ? fill(config.m.overWithFee, { max: money(rules.maxMinor) }) : null;
      const range = { min: money(rules.minMinor), max: money(rules.maxMinor), amount: read.amountMinor === undefined ? "" : money(read.amountMinor) };

      return fill(config.m.amount[read.problem], range);
    },
  };
}
