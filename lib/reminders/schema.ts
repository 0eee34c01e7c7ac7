import { z } from "zod";
import { AVAILABLE_FREQUENCIES } from "@/lib/gifts/presets";
import { checkGiftAmount, pickerChoiceFields, ZGiftForm } from "@/lib/gifts/schemas";
import { LOCALES } from "@/lib/i18n/locales";

export const REMINDER_CHOICES = ["month", "three_months", "hide"] as const;
export type ReminderChoice = (typeof REMINDER_CHOICES)[number];

/**
 * How far away each choice falls due, as PostgreSQL intervals added to the UTC calendar: a month
 * from 31 January is the last day of February, as a reader would count it. "Don't show this for a
 * while" is a plain 90 days: it promises no date.
 */
export const REMINDER_DELAYS: Record<ReminderChoice, string> = {
  month: "1 month",
  three_months: "3 months",
  hide: "90 days",
};

export const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;
const MAX_EMAIL_LENGTH = 254;
const EMAIL_ADDRESS = z.email();

// The picker's own attribution rules: a value we cannot use is dropped, never a reason to refuse.
const gift = ZGiftForm.in.shape;

const ZPicker = z
  .object(
    {
      ...pickerChoiceFields,
      coverFee: z.boolean({ error: "coverFee must be true or false" }),
    },
    { error: "Send the picker as it was left: { frequency, currency, amount, coverFee }" },
  )
  .transform((picker, ctx) => {
    const checked = checkGiftAmount(picker.amount, picker.currency);
    if (!checked.ok) {
      ctx.addIssue({ code: "custom", path: ["amount"], message: checked.message });

      return z.NEVER;
    }
    const { amountMinor } = checked;
    if (!AVAILABLE_FREQUENCIES.includes(picker.frequency)) {
      ctx.addIssue({ code: "custom", path: ["frequency"], message: "That frequency is not available yet; choose another" });

      return z.NEVER;
    }

    return { frequency: picker.frequency, currency: picker.currency, amountMinor, coverFee: picker.coverFee };
  });

/**
 * "Remind me later", as the widget sends it: who (an anonymous visitor id), when (a choice), where
 * to write (an address, only for a dated reminder), and the picker as the reader left it, so the
 * reminder can reopen it exactly. An empty address means none. Output carries the amount in minor
 * units and the address lower-cased, as supporters' addresses are.
 */
export const ZReminderRequest = z
  .object(
    {
      visitorId: z
        .string({ error: (issue) => (issue.input === undefined ? "visitorId is required: the widget's anonymous id" : "visitorId must be text") })
        .regex(VISITOR_ID, "visitorId must be 16 to 64 letters, digits, _ or -"),
      choice: z.enum(REMINDER_CHOICES, { error: 'choice must be "month", "three_months" or "hide"' }),
      email: z
        .string({ error: "Send the email address as text, or leave it out" })
        .trim()
        .max(MAX_EMAIL_LENGTH, `Enter an email address of at most ${MAX_EMAIL_LENGTH} characters`)
        .refine((address) => address === "" || EMAIL_ADDRESS.safeParse(address).success, "Enter a valid email address, like name@example.org")
        .nullish()
        .transform((address) => (address ? address.toLowerCase() : undefined)),
      locale: z.enum(LOCALES, { error: "locale must be en or ru" }),
      picker: ZPicker,
      articleUrl: gift.articleUrl,
      section: gift.section,
      campaign: gift.campaign,
      variant: gift.variant,
      // A proof-of-work solution, checked by the rate limits before anything is written.
      challenge: z.string({ error: "challenge must be text" }).max(4096, "challenge is too long").optional(),
    },
    { error: "The request body must be a JSON object" },
  )
  .superRefine((request, ctx) => {
    if (request.choice === "hide" && request.email !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["email"],
        message: "\"Don't show this for a while\" sends no email: leave the address empty, or choose a reminder in a month or in three months",
      });
    }
  });

export type TReminderRequestInput = z.input<typeof ZReminderRequest>;
export type TReminderRequest = z.output<typeof ZReminderRequest>;
