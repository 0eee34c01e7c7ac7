/**
 * Money is integers in a currency's minor unit, with the currency beside it: never floats.
 * Only display divides, through Intl, and only after every sum is done.
 */

/** Currencies a reader can give in, with the bounds enforced on the server for every gift. */
export const GIFT_CURRENCIES = ["eur", "usd", "gbp"] as const;
export type GiftCurrency = (typeof GIFT_CURRENCIES)[number];

export const CURRENCY_RULES: Record<GiftCurrency, { exponent: number; minMinor: number; maxMinor: number; symbol: string }> = {
  // The floor sits above Stripe's own minimum (0.50 / 0.30) because fees swallow smaller gifts and
  // card testers favour them; the ceiling keeps a mistyped amount from becoming a real charge.
  eur: { exponent: 2, minMinor: 100, maxMinor: 1_000_000, symbol: "€" },
  usd: { exponent: 2, minMinor: 100, maxMinor: 1_000_000, symbol: "$" },
  gbp: { exponent: 2, minMinor: 100, maxMinor: 1_000_000, symbol: "£" },
};

export function isGiftCurrency(value: string): value is GiftCurrency {
  return (GIFT_CURRENCIES as readonly string[]).includes(value);
}

function exponentOf(currency: string): number {
  if (isGiftCurrency(currency)) return CURRENCY_RULES[currency].exponent;

  return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount in major units as a plain decimal ("25.00", "-0.05", "1000" for yen), with string
 * arithmetic only: for files read by accounting tools, which need no currency sign or grouping.
 */
export function minorToDecimal(amountMinor: number, currency: string): string {
  const exponent = exponentOf(currency);
  const digits = Math.abs(amountMinor).toString().padStart(exponent + 1, "0");
  const sign = amountMinor < 0 ? "-" : "";
  if (exponent === 0) return `${sign}${digits}`;

  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** "€25.00" (or "25,00 €" in Russian). */
export function formatMoney(amountMinor: number, currency: string, locale = "en"): string {
  const exponent = exponentOf(currency);
  const major = amountMinor / 10 ** exponent;

  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: currency.toUpperCase(),
    minimumFractionDigits: Number.isInteger(major) && exponent > 0 ? 0 : exponent,
    maximumFractionDigits: exponent,
  }).format(major);
}

/** Always with its minor digits: "€25.00", for receipts and ledgers. */
export function formatMoneyExact(amountMinor: number, currency: string, locale = "en"): string {
  const exponent = exponentOf(currency);

  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: currency.toUpperCase(),
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(amountMinor / 10 ** exponent);
}

/**
 * Parses an amount as a reader types it ("25", "25.5", "25,50", "1 000", "€25", "25 €") into minor
 * units, with string arithmetic only. At most one currency sign, the gift's own, before or after.
 * Returns null for anything that is not a plain positive amount.
 */
export function parseAmountToMinor(input: string, currency: GiftCurrency): number | null {
  const { exponent, symbol } = CURRENCY_RULES[currency];
  let cleaned = input.trim().replace(/[\s\u00a0\u202f]/g, "");
  if (cleaned.startsWith(symbol)) cleaned = cleaned.slice(symbol.length);
  else if (cleaned.endsWith(symbol)) cleaned = cleaned.slice(0, -symbol.length);
  const pattern = exponent === 0 ? /^(\d{1,9})$/ : new RegExp(`^(\\d{1,9})(?:[.,](\\d{1,${exponent}}))?$`);
  const match = pattern.exec(cleaned);
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? "").padEnd(exponent, "0") || "0");

  return whole * 10 ** exponent + fraction;
}

/** Why an amount as typed cannot be a gift: each has its own message, on the server and in the picker. */
export type AmountProblem = "empty" | "not_a_number" | "decimals" | "below" | "above";

/**
 * An amount as a reader typed it, read for a gift: in minor units when it is a number within the
 * currency's floor and ceiling; otherwise what is wrong with it. More decimals than the currency has
 * ("10,505") is refused as such rather than rounded: it may as well be a thousands separator.
 */
export function readGiftAmount(input: string, currency: GiftCurrency): { ok: true; amountMinor: number } | { ok: false; problem: AmountProblem; amountMinor?: number } {
  const rules = CURRENCY_RULES[currency];
  if (input.trim() === "") return { ok: false, problem: "empty" };
  const amountMinor = parseAmountToMinor(input, currency);
  if (amountMinor === null) {
    const digits = input.trim().replace(/[\s\u00a0\u202f]/g, "").replace(rules.symbol, "");

    return { ok: false, problem: /^\d{1,9}[.,]\d+$/.test(digits) ? "decimals" : "not_a_number" };
  }
  if (amountMinor < rules.minMinor) return { ok: false, problem: "below", amountMinor };
  if (amountMinor > rules.maxMinor) return { ok: false, problem: "above", amountMinor };

  return { ok: true, amountMinor };
}

/** Minor units back to the plain string a form field holds: 2500 → "25", 2550 → "25.50". */
export function minorToInput(amountMinor: number, currency: GiftCurrency): string {
  const exponent = CURRENCY_RULES[currency].exponent;
  const whole = Math.floor(amountMinor / 10 ** exponent);
  const fraction = amountMinor % 10 ** exponent;

  return fraction === 0 ? String(whole) : `${whole}.${String(fraction).padStart(exponent, "0")}`;
}
