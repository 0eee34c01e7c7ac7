// POST /api/auth/sign-in: "Email me a sign-in link". A form post (no JavaScript) → 303 to the "link
// on its way" page, or back to the sign-in page with an error code; JSON (the page's script) →
// 200 { next } or a 4xx { error } (428 with a proof-of-work challenge past the soft limit, 429 past
// the hard one). The same answer for any address, ours or not.
import { isLocale } from "@/lib/i18n";
import { requestSignIn } from "@/lib/auth/request-sign-in";
import { type SignInError, signInPath } from "@/lib/auth/paths";
import { safeReturnPath } from "@/lib/auth/return-path";
import { isSameOriginPost } from "@/lib/auth/same-origin";
import { AppError, toAppError } from "@/lib/errors";
import { clientAddressOf, errorResponse, readInput, seeOther, traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 4096;

async function post(request: Request): Promise<Response> {
  if (!isSameOriginPost({ origin: request.headers.get("origin"), secFetchSite: request.headers.get("sec-fetch-site") })) {
    return errorResponse(new AppError("FORBIDDEN", "Ask for a sign-in link from our sign-in page."));
  }
  let input;
  try {
    input = await readInput(request, { maxBytes: MAX_BODY_BYTES, accept: ["json", "form"], what: "the sign-in request" });
  } catch (error) {
    return errorResponse(toAppError("sign-in request", error));
  }
  try {
    const { next } = await requestSignIn(input.fields, { clientAddress: clientAddressOf(request) });

    return input.kind === "form" ? seeOther(next) : Response.json({ next }, { headers: { "cache-control": "no-store" } });
  } catch (failure) {
    const error = toAppError("sign-in request", failure);
    if (input.kind === "json") return errorResponse(error);
    const lang = input.fields.lang;

    return seeOther(signInPath({ error: formErrorOf(error), locale: isLocale(lang) ? lang : "en", returnTo: safeReturnPath(input.fields.return) }));
  }
}
export const POST = traced(post);

/** A plain form cannot solve a proof of work: past the soft limit it is told to wait, as past the hard one. */
function formErrorOf(error: AppError): SignInError {
  if (error.code === "INVALID_INPUT") return "email";
  if (error.code === "RATE_LIMITED" || error.code === "CHALLENGE_REQUIRED") return "limited";

  return "failed";
}
