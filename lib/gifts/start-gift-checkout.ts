import { guardCreation } from "@/lib/abuse/guard";
import { AppError } from "@/lib/errors";
import { REMINDER_LINK_PURPOSE, reminderIdFromToken } from "@/lib/reminders/links";
import { createGiftCheckoutSession } from "@/lib/stripe/create-gift-checkout-session";
import { fieldErrors } from "@/lib/validation";
import { ZGiftForm } from "./schemas";

export type StartGiftCheckoutContext = {
  /** The client's address as our proxy wrote it, for the rate limits; null without a proxy. */
  clientAddress: string | null;
};

/**
 * Continue: checks the picker's fields with the same schema the browser used, counts the attempt,
 * and creates the Checkout Session the reader is sent to. Nothing is written here but the
 * rate-limit counters, and only for a valid request. Throws an AppError the caller can show:
 * INVALID_INPUT naming each bad field; CHALLENGE_REQUIRED past the soft limit (with the proof of
 * work to solve); RATE_LIMITED past the hard limit (with when to try again); STRIPE_UNAVAILABLE.
 */
export async function startGiftCheckout(fields: Record<string, unknown>, context: StartGiftCheckoutContext): Promise<{ url: string }> {
  const parsed = ZGiftForm.safeParse(fields);
  if (!parsed.success) {
    throw new AppError("INVALID_INPUT", "Some of the gift's details are not valid.", { fieldErrors: fieldErrors(parsed.error) });
  }
  const challenge = typeof fields.challenge === "string" ? fields.challenge : null;
  const guard = await guardCreation({ scope: "checkout", clientAddress: context.clientAddress, visitorId: parsed.data.visitorId ?? null, challenge });
  if (!guard.ok) throw guard.error;
  // A reminder link's token that does not verify is dropped: the gift goes ahead, unattributed.
  const reminderId = reminderIdFromToken(REMINDER_LINK_PURPOSE, parsed.data.reminder);

  return createGiftCheckoutSession({ ...parsed.data, reminderId });
}
