// POST /api/auth/sign-out: the account page's "Sign out" (scope=here: this browser's session) and
// "Sign out everywhere" (scope=everywhere: every session of the supporter). → 303 to the sign-in
// page, which says so; the session cookie is cleared either way.
import { signInPath } from "@/lib/auth/paths";
import { isSameOriginPost } from "@/lib/auth/same-origin";
import { clearedSessionCookies, endEverySession, endSession, sessionTokenFromCookieHeader } from "@/lib/auth/sessions";
import { AppError, toAppError } from "@/lib/errors";
import { isLocale } from "@/lib/i18n";
import { errorResponse, readInput, seeOther, traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  if (!isSameOriginPost({ origin: request.headers.get("origin"), secFetchSite: request.headers.get("sec-fetch-site") })) {
    return errorResponse(new AppError("FORBIDDEN", "Sign out from your account page."));
  }
  try {
    const { fields } = await readInput(request, { maxBytes: 1024, accept: ["form"], what: "the sign-out" });
    const everywhere = fields.scope === "everywhere";
    const token = sessionTokenFromCookieHeader(request.headers.get("cookie"));
    if (token !== null) {
      if (everywhere) await endEverySession(token);
      else await endSession(token);
    }
    const response = seeOther(signInPath({ signedOut: everywhere ? "everywhere" : "here", locale: isLocale(fields.lang) ? fields.lang : "en" }));
    for (const cookie of clearedSessionCookies()) response.headers.append("set-cookie", cookie);
    response.headers.set("cache-control", "no-store");

    return response;
  } catch (failure) {
    return errorResponse(toAppError("sign-out", failure));
  }
}
export const POST = traced(post);
