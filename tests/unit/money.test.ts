import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMoney, formatMoneyExact, minorToInput, parseAmountToMinor, readGiftAmount } from "@/lib/money";

describe("readGiftAmount", () => {
  it.each([
    ["", "eur", { ok: false, problem: "empty" }],
    ["  ", "eur", { ok: false, problem: "empty" }],
    ["abc", "eur", { ok: false, problem: "not_a_number" }],
    ["-5", "eur", { ok: false, problem: "not_a_number" }],
    // Three decimals: a mistyped amount or a thousands separator, never rounded to 10.51 or read as 10505.
    ["10,505", "eur", { ok: false, problem: "decimals" }],
    ["10.505", "usd", { ok: false, problem: "decimals" }],
    ["1,000", "gbp", { ok: false, problem: "decimals" }],
    ["€ 10,505", "eur", { ok: false, problem: "decimals" }],
    ["0,5", "eur", { ok: false, problem: "below", amountMinor: 50 }],
    ["25000", "usd", { ok: false, problem: "above", amountMinor: 2_500_000 }],
    ["10,50", "eur", { ok: true, amountMinor: 1050 }],
    ["10000", "eur", { ok: true, amountMinor: 1_000_000 }],
  ] as const)("reads %j in %s as %j", (input, currency, expected) => {
    expect(readGiftAmount(input, currency)).toEqual(expected);
  });
});

describe("parseAmountToMinor", () => {
  it.each([
    ["25", 2500],
    ["25.5", 2550],
    ["25.50", 2550],
    ["25,50", 2550],
    [" 1 000 ", 100000],
    ["€10", 1000],
    ["10 €", 1000],
    ["0.01", 1],
    ["0", 0],
  ])("reads %j as %i minor units", (input, expected) => {
    expect(parseAmountToMinor(input, "eur")).toBe(expected);
  });

  it.each(["", "abc", "-5", "1.234", "1e3", "12.3.4", "Infinity", "NaN", "0x10", "1,000.50", "$25$", "$$25", "25$$", "€25", "£25", "$"])("refuses %j", (input) => {
    expect(parseAmountToMinor(input, "usd")).toBeNull();
  });

  it("takes only the gift's own currency sign, once", () => {
    expect(parseAmountToMinor("$25", "usd")).toBe(2500);
    expect(parseAmountToMinor("25$", "usd")).toBe(2500);
    expect(parseAmountToMinor("$25$", "eur")).toBeNull();
    expect(parseAmountToMinor("€25€", "eur")).toBeNull();
    expect(parseAmountToMinor("£25", "gbp")).toBe(2500);
    expect(parseAmountToMinor("£25", "eur")).toBeNull();
  });

  it("round-trips every amount through the form's string without floating-point error", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (minor) => {
        expect(parseAmountToMinor(minorToInput(minor, "gbp"), "gbp")).toBe(minor);
      }),
    );
  });
});

describe("formatting", () => {
  it("shows whole amounts without decimals and others exactly", () => {
    expect(formatMoney(2500, "eur")).toBe("€25");
    expect(formatMoney(2550, "usd")).toBe("$25.50");
    expect(formatMoneyExact(2500, "gbp")).toBe("£25.00");
    expect(formatMoneyExact(100, "eur", "ru")).toBe("1,00\u00a0€");
  });
});
