// POST /api/checkout: the picker's Continue, from our pages and from article pages elsewhere.
// JSON in → { url } out (or a 4xx { error }); a plain form post → 303 to Stripe, or back to the picker.
import { AppError, toAppError } from "@/lib/errors";
import { giftFieldsFromForm, pickerErrorOf, pickerReturnUrl } from "@/lib/gifts/picker-errors";
import { startGiftCheckout } from "@/lib/gifts/start-gift-checkout";
import { clientAddressOf, errorResponse, preflightResponse, readInput, refuseOrigin, seeOther, traced, withCors } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 16_384;

function options(request: Request): Response {
  return preflightResponse(request);
}
export const OPTIONS = traced(options);

async function post(request: Request): Promise<Response> {
  return withCors(request, refuseOrigin(request) ?? (await checkout(request)));
}
export const POST = traced(post);

async function checkout(request: Request): Promise<Response> {
  let input;
  try {
    input = await readInput(request, { maxBytes: MAX_BODY_BYTES, accept: ["json", "form"], what: "the gift" });
  } catch (error) {
    return errorResponse(toAppError("checkout", error));
  }
  const fields = input.form ? giftFieldsFromForm(input.form) : input.fields;
  try {
    const { url } = await startGiftCheckout(fields, { clientAddress: clientAddressOf(request) });

    return input.kind === "form" ? seeOther(url) : Response.json({ url });
  } catch (failure) {
    const error = toAppError("checkout", failure);
    if (input.kind === "form") return seeOther(pickerReturnUrl(fields, pickerErrorOf(error)));

    return errorResponse(error.code === "INTERNAL" ? new AppError("INTERNAL", "Something went wrong on our side. Nothing was charged; please try again.") : error);
  }
}
