import { z } from "zod";
import { checkGiftAmount } from "@/lib/gifts/schemas";
import { GIFT_CURRENCIES } from "@/lib/money";
import { CANCEL_FEEDBACK } from "./recurring-gift-rules";

/**
 * The forms of a recurring gift's management, one zod schema each, shared by the browser's
 * react-hook-form resolver and the server action. Every form names its gift and carries an attempt
 * id made when the page was drawn: a double press sends the same one, so it is one request here and
 * one change at Stripe (the idempotency key is made from it).
 */
const base = {
  recurringGiftId: z.uuid({ error: "The form does not name a gift; reload the page" }),
  attemptId: z.uuid({ error: "The form is missing its attempt id; reload the page" }),
};

export const ZGiftAction = z.object(base);

export const ZChangeGift = z
  .object({
    ...base,
    // The gift's own currency, drawn into the form so the amount is checked as it will be charged;
    // the server refuses one that is not the gift's.
    currency: z.enum(GIFT_CURRENCIES, { error: "The form does not name the gift's currency; reload the page" }),
    frequency: z.enum(["monthly", "annual"], { error: "Choose monthly or annual" }),
    amount: z.string({ error: "Enter an amount" }).trim().min(1, "Enter an amount").max(20, "Enter a shorter amount"),
  })
  .transform((form, ctx) => {
    const checked = checkGiftAmount(form.amount, form.currency);
    if (!checked.ok) {
      ctx.addIssue({ code: "custom", path: ["amount"], message: checked.message });

      return z.NEVER;
    }
    const { amount: _typed, ...rest } = form;

    return { ...rest, amountMinor: checked.amountMinor };
  });

export const ZPauseGift = z.object({
  ...base,
  months: z.enum(["1", "2", "3"], { error: "Choose one, two or three months" }).transform((value) => Number(value) as 1 | 2 | 3),
});

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Please keep it under ${max} characters`)
    .optional()
    .transform((value) => (value ? value : null));

export const ZCancelGift = z.object({
  ...base,
  // Optional: an empty choice is no reason.
  feedback: z
    .union([z.enum(CANCEL_FEEDBACK), z.literal("")], { error: "Choose one of the reasons, or none" })
    .optional()
    .transform((value) => (value ? value : null)),
  comment: optionalText(500),
});

export type TChangeGiftInput = z.input<typeof ZChangeGift>;
export type TChangeGift = z.output<typeof ZChangeGift>;
export type TPauseGift = z.output<typeof ZPauseGift>;
export type TCancelGift = z.output<typeof ZCancelGift>;
export type TCancelGiftInput = z.input<typeof ZCancelGift>;
export type TGiftAction = z.output<typeof ZGiftAction>;
