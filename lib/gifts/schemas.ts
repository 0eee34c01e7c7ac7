import { z } from "zod";
import { LOCALES } from "@/lib/i18n/locales";
import { CURRENCY_RULES, formatMoneyExact, GIFT_CURRENCIES, type GiftCurrency, readGiftAmount } from "@/lib/money";
import { feeToCover } from "./fees";
import { AVAILABLE_FREQUENCIES, FREQUENCIES } from "./presets";


/**
 * Attribution (which article, section, campaign) rides along from the page that embeds the picker.
 * It must never stop a gift: a value we cannot use is dropped, not refused.
 */
const attributionText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(/^[\p{L}\p{N} _.:/&'+()!,-]*$/u)
    .optional()
    .catch(undefined)
    .transform((v) => (v ? v : undefined));

/** A checkbox as JSON (true/false) or as a form post ("on", "1", "true"; absent is false). */
export const isTicked = (value: unknown): boolean => value === true || value === "on" || value === "1" || value === "true";

const checkbox = z
  .union([z.boolean(), z.enum(["on", "1", "true", "0", "false", ""])], { error: "must be true or false" })
  .optional()
  .transform(isTicked);

/** The widget's anonymous visitor id (random, kept in the reader's browser); dropped if malformed. */
export const ZVisitorId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/)
  .optional()
  .catch(undefined);

/**
 * The picker's one schema, for what Continue sends to the checkout route: JSON from the widget's
 * script (which checks the amount first with the same lib/money code) or a plain form post. Input
 * is what the form holds (the amount as typed); output carries the amount in minor units, checked
 * against the currency's floor and ceiling, and the total with any fee the reader chose to cover.
 */
/** The picker's choice as a form holds it (the amount as typed), for a gift and for a reminder alike. */
export const pickerChoiceFields = {
  frequency: z.enum(FREQUENCIES, { error: "Choose how often to give: once, monthly or annual" }),
  currency: z.enum(GIFT_CURRENCIES, { error: "Choose a currency: EUR, USD or GBP" }),
  amount: z
    .string({ error: (issue) => (issue.input === undefined ? "Choose or enter an amount" : 'Send the amount as text, like "25" or "25.50"') })
    .trim()
    .min(1, "Choose or enter an amount")
    .max(20, "Enter a shorter amount"),
};

export const ZGiftForm = z
  .object({
    ...pickerChoiceFields,
    attemptId: z.uuid({ error: "The form is missing its attempt id; reload the page" }),
    articleUrl: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .optional()
      .catch(undefined),
    section: attributionText(100),
    campaign: attributionText(100),
    variant: attributionText(100),
    locale: z.enum(LOCALES, { error: "locale must be en or ru" }).default("en"),
    coverFee: checkbox,
    discreet: checkbox,
    emailReceipts: checkbox,
    visitorId: ZVisitorId,
    // The signed token of the reminder whose email brought the reader back; checked on the server.
    reminder: z.string().max(300).optional().catch(undefined),
    // A solved proof-of-work challenge, asked for only past the soft rate limit.
    challenge: z.string().max(4000).optional().catch(undefined),
  })
  .transform((form, ctx) => {
    const rules = CURRENCY_RULES[form.currency];
    const checked = checkGiftAmount(form.amount, form.currency);
    if (!checked.ok) {
      ctx.addIssue({ code: "custom", path: ["amount"], message: checked.message });

      return z.NEVER;
    }
    const { amountMinor } = checked;
    const feeCoveredMinor = form.coverFee ? feeToCover(amountMinor, form.currency) : 0;
    if (amountMinor + feeCoveredMinor > rules.maxMinor) {
      ctx.addIssue({
        code: "custom",
        path: ["amount"],
        message: `With the card fee added this comes to more than ${formatMoneyExact(rules.maxMinor, form.currency)}: lower the amount, or leave the fee out`,
      });

      return z.NEVER;
    }
    if (!AVAILABLE_FREQUENCIES.includes(form.frequency)) {
      ctx.addIssue({ code: "custom", path: ["frequency"], message: "That frequency is not available yet; choose another" });

      return z.NEVER;
    }
    const { amount: _typed, coverFee: _cover, challenge: _challenge, ...rest } = form;

    // amountMinor is the gift as chosen; the charge is that plus the fee the reader chose to cover.
    return { ...rest, amountMinor, feeCoveredMinor, totalMinor: amountMinor + feeCoveredMinor };
  });

/**
 * An amount as a reader typed it, in minor units if it is one a gift may be: a number, at least the
 * currency's floor and at most its ceiling. Otherwise the message to show beside the field.
 */
export function checkGiftAmount(amount: string, currency: GiftCurrency): { ok: true; amountMinor: number } | { ok: false; message: string } {
  const rules = CURRENCY_RULES[currency];
  const read = readGiftAmount(amount, currency);
  if (read.ok) return read;
  switch (read.problem) {
    case "decimals":
      return { ok: false, message: `Use at most ${rules.exponent} decimal places, like 10.50, and no thousands separator` };
    case "below":
      return { ok: false, message: `Enter at least ${formatMoneyExact(rules.minMinor, currency)}` };
    case "above":
      return { ok: false, message: `Enter at most ${formatMoneyExact(rules.maxMinor, currency)}; for larger gifts please write to us` };
    default:
      return { ok: false, message: "Enter the amount as a number, like 25 or 25.50" };
  }
}

export type TGiftFormInput = z.input<typeof ZGiftForm>;
export type TGiftForm = z.output<typeof ZGiftForm>;
