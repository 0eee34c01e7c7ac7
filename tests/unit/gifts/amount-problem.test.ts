import { describe, expect, it } from "vitest";
import { amountProblem } from "@/lib/gifts/amount-problem";
import { messagesFor } from "@/lib/i18n";
import { fill } from "@/lib/i18n/fill";
import { CURRENCY_RULES, formatMoneyExact } from "@/lib/money";

describe("amountProblem", () => {
  it("says what is wrong with an amount in the page's language, naming what was typed and the range", () => {
    const ru = messagesFor("ru").picker.amount;
    const en = messagesFor("en").picker.amount;
    const range = (locale: string) => ({ min: formatMoneyExact(CURRENCY_RULES.eur.minMinor, "eur", locale), max: formatMoneyExact(CURRENCY_RULES.eur.maxMinor, "eur", locale) });
    expect(amountProblem("20", "eur", "ru", ru)).toBeNull();
    expect(amountProblem("1000000", "eur", "ru", ru)).toBe(fill(ru.above, { ...range("ru"), amount: formatMoneyExact(100_000_000, "eur", "ru") }));
    expect(amountProblem("1000000", "eur", "ru", ru)).toMatch(/[а-я]/);
    expect(amountProblem("0.5", "eur", "en", en)).toBe(fill(en.below, { ...range("en"), amount: "€0.50" }));
    expect(amountProblem("abc", "eur", "ru", ru)).toBe(ru.not_a_number);
    expect(amountProblem("10,505", "eur", "ru", ru)).toBe(ru.decimals);
    expect(amountProblem("", "eur", "ru", ru)).toBe(ru.empty);
  });
});
