import { guardCreation } from "@/lib/abuse/guard";
import { env } from "@/lib/env";
import { AppError, errorResponse } from "@/lib/errors";
import { mediaTypeOf, readBodyText } from "@/lib/http";
import { log } from "@/lib/log";
import { createGiftCheckoutSession } from "@/lib/stripe/create-gift-checkout-session";
import { REMINDER_LINK_PURPOSE, reminderIdFromToken } from "@/lib/reminders/links";
import { type PickerError, pickerErrorFor } from "./picker-errors";
import { isTicked, ZGiftForm } from "./schemas";
import { fieldErrors } from "@/lib/validation";

const MAX_BODY_BYTES = 16_384;

/**
 * Handles Continue: parses the picker with the same schema the browser used, creates the Checkout
 * Session, and sends the reader to it. JSON callers (the picker with JavaScript) get `{ url }` or a
 * 422 naming each bad field; a plain form post (before the script loads, or without JavaScript)
 * gets a 303 to Stripe, or back to the picker with the error shown. Nothing is written here but
 * the rate-limit counters, and only for a valid request: past the soft limit the caller must
 * solve a proof-of-work challenge (428), past the hard limit it is refused (429, Retry-After).
 */
export async function startGiftCheckout(request: Request): Promise<Response> {
  const mediaType = mediaTypeOf(request);
  const isJson = mediaType === "application/json";
  const isForm = mediaType === "application/x-www-form-urlencoded";
  if (!isJson && !isForm) {
    return errorResponse(
      new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the gift as JSON (application/json) or as a form (application/x-www-form-urlencoded)."),
    );
  }
  const text = await readBodyText(request, MAX_BODY_BYTES);
  if (text === null) return errorResponse(new AppError("PAYLOAD_TOO_LARGE", "The request is too large."));

  let input: Record<string, unknown>;
  if (isJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return errorResponse(new AppError("BAD_REQUEST", "The request body is not valid JSON."));
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return errorResponse(new AppError("BAD_REQUEST", "The request body must be a JSON object."));
    }
    input = parsed as Record<string, unknown>;
  } else {
    const form = new URLSearchParams(text);
    input = Object.fromEntries(form.entries());
    // Without JavaScript the custom amount is its own field; it wins when filled in.
    const custom = form.get("customAmount")?.trim();
    if (custom) input.amount = custom;
    delete input.customAmount;
  }

  const parsed = ZGiftForm.safeParse(input);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (isForm) return backToPicker(input, pickerErrorFor(Object.keys(errors)[0]));

    return errorResponse(new AppError("INVALID_INPUT", "Some of the gift's details are not valid.", { fieldErrors: errors }));
  }

  const challenge = typeof input.challenge === "string" ? input.challenge : null;
  const guard = await guardCreation(request, { scope: "checkout", visitorId: parsed.data.visitorId ?? null, challenge });
  if (!guard.ok) {
    // A plain form cannot solve a challenge: it goes back to the picker, which says to wait.
    if (isForm) return backToPicker(input, "limited");

    return guard.response;
  }
  // A reminder link's token that does not verify is dropped: the gift goes ahead, unattributed.
  const reminderId = reminderIdFromToken(REMINDER_LINK_PURPOSE, parsed.data.reminder);

  try {
    const { url } = await createGiftCheckoutSession({ ...parsed.data, reminderId });
    if (isForm) return new Response(null, { status: 303, headers: { location: url } });

    return Response.json({ url });
  } catch (error) {
    if (error instanceof AppError) {
      if (isForm) return backToPicker(input, "provider");

      return errorResponse(error);
    }
    log.error("checkout failed", { error });

    return errorResponse(new AppError("INTERNAL", "Something went wrong on our side. Nothing was charged; please try again."));
  }
}

/**
 * Back to the picker with an error code, never a message: text taken from a URL and shown on our
 * page is how a phishing link puts words in our mouth.
 */
function backToPicker(input: Record<string, unknown>, error: PickerError): Response {
  const params = new URLSearchParams({ error });
  // The reader's choices and where they came from go back with them; each is checked again there.
  const carried = { frequency: "frequency", currency: "currency", amount: "amount", locale: "lang", articleUrl: "article", section: "section", campaign: "campaign", variant: "variant", reminder: "reminder" } as const;
  for (const [field, param] of Object.entries(carried)) {
    const value = input[field];
    if (typeof value === "string" && value !== "" && value.length <= 500) params.set(param, value);
  }
  if (isTicked(input.coverFee)) params.set("cover", "1");
  if (isTicked(input.discreet)) params.set("discreet", "1");

  return new Response(null, { status: 303, headers: { location: `${env().appUrl}/donate?${params.toString()}` } });
}
