// POST /api/auth/confirm: the "Sign in" button of the page a sign-in link opens. Only this POST
// spends the link (mail scanners open links with GETs): a good link → 303 to where the person was
// going, with the session cookie; an expired, used or altered one → 303 to the problem page.
import { completeSignIn, serializeCookie } from "@/lib/auth/auth-js";
import { problemPath } from "@/lib/auth/paths";
import { safeReturnPath } from "@/lib/auth/return-path";
import { isSameOriginPost } from "@/lib/auth/same-origin";
import { sessionTokenFromCookieHeader } from "@/lib/auth/sessions";
import { normalizeSignInEmail } from "@/lib/auth/email-address";
import { AppError, toAppError } from "@/lib/errors";
import { isLocale } from "@/lib/i18n";
import { errorResponse, readInput, seeOther, traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 4096;

async function post(request: Request): Promise<Response> {
  if (!isSameOriginPost({ origin: request.headers.get("origin"), secFetchSite: request.headers.get("sec-fetch-site") })) {
    return errorResponse(new AppError("FORBIDDEN", "Sign in from the page your sign-in link opens."));
  }
  let fields: Record<string, unknown>;
  try {
    fields = (await readInput(request, { maxBytes: MAX_BODY_BYTES, accept: ["form"], what: "the sign-in" })).fields;
  } catch (error) {
    return errorResponse(toAppError("sign-in confirm", error));
  }
  const locale = isLocale(fields.lang) ? fields.lang : "en";
  const token = typeof fields.token === "string" && /^[A-Za-z0-9_-]{16,128}$/.test(fields.token) ? fields.token : null;
  const email = normalizeSignInEmail(fields.email);
  if (token === null || email === null) return seeOther(problemPath(locale));
  try {
    const signedIn = await completeSignIn({
      token,
      email,
      returnTo: safeReturnPath(fields.return),
      currentSession: sessionTokenFromCookieHeader(request.headers.get("cookie")),
    });
    if (!signedIn.ok) return seeOther(problemPath(locale));
    const response = seeOther(withLocale(signedIn.redirectTo, locale));
    response.headers.append("set-cookie", serializeCookie(signedIn.cookie));
    response.headers.set("cache-control", "no-store");

    return response;
  } catch (failure) {
    return errorResponse(toAppError("sign-in confirm", failure));
  }
}
export const POST = traced(post);

/** The page after signing in, in the language the person signed in in (unless it names its own). */
function withLocale(path: string, locale: string): string {
  if (locale === "en" || /[?&]lang=/.test(path)) return path;

  return `${path}${path.includes("?") ? "&" : "?"}lang=${locale}`;
}
