import { env } from "@/lib/env";
import type { AppError } from "@/lib/errors";
import { isTicked } from "./schemas";

/** What a plain form post can be sent back to the picker with (`/donate?error=…`). */
export const PICKER_ERRORS = ["amount", "frequency", "currency", "provider", "limited", "form"] as const;
export type PickerError = (typeof PICKER_ERRORS)[number];

export function pickerErrorFor(field: string | undefined): PickerError {
  return field === "amount" || field === "frequency" || field === "currency" ? field : "form";
}

/** The picker's code for why Continue failed: the first bad field, the rate limits, or the payment provider. */
export function pickerErrorOf(error: AppError): PickerError {
  if (error.code === "INVALID_INPUT") return pickerErrorFor(Object.keys(error.details.fieldErrors ?? {})[0]);
  // A plain form cannot solve a proof of work: the picker says to wait.
  if (error.code === "RATE_LIMITED" || error.code === "CHALLENGE_REQUIRED") return "limited";

  return "provider";
}

/**
 * The picker's fields as the plain form (no JavaScript) posts them: the custom amount is a field of
 * its own there, and wins when filled in.
 */
export function giftFieldsFromForm(form: URLSearchParams): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.fromEntries(form.entries());
  const custom = form.get("customAmount")?.trim();
  if (custom) fields.amount = custom;
  delete fields.customAmount;

  return fields;
}

/**
 * Where a plain form post goes back to after a refusal: the picker, with an error code, never a
 * message (text taken from a URL and shown on our page is how a phishing link puts words in our
 * mouth), and with the reader's choices and where they came from, each checked again there.
 */
export function pickerReturnUrl(fields: Record<string, unknown>, error: PickerError): string {
  const params = new URLSearchParams({ error });
  const carried = { frequency: "frequency", currency: "currency", amount: "amount", locale: "lang", articleUrl: "article", section: "section", campaign: "campaign", variant: "variant", reminder: "reminder" } as const;
  for (const [field, param] of Object.entries(carried)) {
    const value = fields[field];
    if (typeof value === "string" && value !== "" && value.length <= 500) params.set(param, value);
  }
  if (isTicked(fields.coverFee)) params.set("cover", "1");
  if (isTicked(fields.discreet)) params.set("discreet", "1");

  return `${env().appUrl}/donate?${params.toString()}`;
}
