import { z } from "zod";

/**
 * What each email is given, as the outbox stores it: JSON only, so dates are ISO strings (UTC) and
 * money is integer minor units beside a lower-case currency code. The schemas are checked before
 * rendering, so a message with a missing date or a non-web link fails to render (and is kept for a
 * person to look at) instead of reaching a reader with "Invalid Date" or a `javascript:` link in it.
 */

const isoDate = z.iso.datetime({ offset: true });
const amountMinor = z.number().int().nonnegative();
const currency = z.string().regex(/^[a-z]{3}$/, "a lower-case ISO 4217 code");
// Every link in an email is one of these: only web addresses, never `javascript:` or `data:`.
const webUrl = z.url({ protocol: /^https?$/ });
const recurringFrequency = z.enum(["monthly", "annual"]);
const anyFrequency = z.enum(["once", "monthly", "annual"]);
// A recurring gift's signed "manage this gift" link (lib/supporters/manage-links.ts); absent from
// messages queued before it existed, and for a gift whose link could not be made.
const manageUrl = webUrl.nullable().default(null);

export type EmailTemplate =
  | "receipt_one_time"
  | "receipt_recurring"
  | "payment_failed"
  | "recurring_ending"
  | "recurring_ended"
  | "reminder"
  | "sign_in"
  | "yearly_statement";

export const EMAIL_PROPS_SCHEMAS = {
  receipt_one_time: z.object({
    amountMinor,
    currency,
    paidAt: isoDate,
    receiptId: z.string().min(1),
    supporterName: z.string().nullable(),
  }),
  receipt_recurring: z.object({
    amountMinor,
    currency,
    paidAt: isoDate,
    receiptId: z.string().min(1),
    supporterName: z.string().nullable(),
    frequency: recurringFrequency,
    first: z.boolean(),
    periodStart: isoDate.nullable(),
    periodEnd: isoDate.nullable(),
    nextPaymentAt: isoDate.nullable(),
    manageUrl,
  }),
  payment_failed: z.object({
    amountMinor,
    currency,
    frequency: recurringFrequency,
    attemptCount: z.number().int().positive(),
    nextAttemptAt: isoDate.nullable(),
    updateCardUrl: webUrl,
    manageUrl,
  }),
  recurring_ending: z.object({
    amountMinor,
    currency,
    frequency: recurringFrequency,
    endsAt: isoDate,
    manageUrl,
  }),
  recurring_ended: z.object({
    amountMinor,
    currency,
    frequency: recurringFrequency,
    endedAt: isoDate,
    reason: z.enum(["cancellation_requested", "payment_failed", "payment_disputed", "other"]),
    restartUrl: webUrl,
  }),
  reminder: z.object({
    reopenUrl: webUrl,
    cancelUrl: webUrl,
    unsubscribeUrl: webUrl,
    amountMinor: amountMinor.nullable(),
    currency: currency.nullable(),
    frequency: anyFrequency.nullable(),
  }),
  sign_in: z.object({
    signInUrl: webUrl,
    expiresInMinutes: z.number().int().positive(),
  }),
  yearly_statement: z.object({
    year: z.number().int().min(2000).max(9999),
    supporterName: z.string().nullable(),
    // Each payment as paid, with what was refunded and taken back by a lost dispute (absent: none);
    // each total is what was finally given in that currency (lib/supporters/statement.ts).
    payments: z.array(
      z.object({ paidAt: isoDate, amountMinor, currency, frequency: anyFrequency, refundedMinor: amountMinor.optional(), disputeLostMinor: amountMinor.optional() }),
    ),
    totals: z.array(
      z.object({ currency, amountMinor, paidMinor: amountMinor.optional(), refundedMinor: amountMinor.optional(), disputeLostMinor: amountMinor.optional() }),
    ),
  }),
} as const satisfies { [T in EmailTemplate]: z.ZodType };

export type EmailPropsMap = { [T in EmailTemplate]: z.infer<(typeof EMAIL_PROPS_SCHEMAS)[T]> };

export type ReceiptOneTimeProps = EmailPropsMap["receipt_one_time"];
export type ReceiptRecurringProps = EmailPropsMap["receipt_recurring"];
export type PaymentFailedProps = EmailPropsMap["payment_failed"];
export type RecurringEndingProps = EmailPropsMap["recurring_ending"];
export type RecurringEndedProps = EmailPropsMap["recurring_ended"];
export type ReminderProps = EmailPropsMap["reminder"];
export type SignInProps = EmailPropsMap["sign_in"];
export type YearlyStatementProps = EmailPropsMap["yearly_statement"];

export type RecurringFrequency = z.infer<typeof recurringFrequency>;
export type AnyFrequency = z.infer<typeof anyFrequency>;
export type EndedReason = RecurringEndedProps["reason"];
