import { env } from "@/lib/env";
import { AppError, errorResponse } from "@/lib/errors";

/**
 * The widget runs on the newsroom's article pages, another origin than this app, and calls our
 * JSON endpoints (checkout, reminders) from there. They take no cookies and no credentials (the
 * visitor id travels in the body), so CORS protects no session here; what it protects is the
 * endpoints' limits. With NEWSROOM_ORIGINS set, only those origins and the app's own may call them
 * from a browser, so no other site can spend its visitors' rate limits or have strangers sent
 * reminder emails. Without it, any origin may (a newsroom that has not said where its articles are).
 */
const ALLOWED_HEADERS = "content-type";

/** Origins whose pages may call us, or null for any. */
function allowedOrigins(): Set<string> | null {
  const config = env();
  if (config.newsroomOrigins.length === 0) return null;

  return new Set([...config.newsroomOrigins, new URL(config.appUrl).origin]);
}

/**
 * The refusal for a browser call from an origin that may not make it, or null when it may. A call
 * without an Origin header is not a browser's cross-origin call (a server or a script can send any
 * header it likes, which CORS was never meant to stop; the rate limits are for them).
 */
export function refuseOrigin(request: Request): Response | null {
  const allowed = allowedOrigins();
  const origin = request.headers.get("origin");
  if (allowed === null || origin === null || allowed.has(origin)) return null;

  return errorResponse(new AppError("FORBIDDEN", "Gifts and reminders can be started only from the newsroom's own pages."));
}

/** CORS headers for a response to this request: its origin allowed, or every origin without NEWSROOM_ORIGINS. */
export function corsHeaders(request: Request): Record<string, string> {
  const allowed = allowedOrigins();
  const headers: Record<string, string> = { "access-control-expose-headers": "retry-after" };
  if (allowed === null) {
    headers["access-control-allow-origin"] = "*";
  } else {
    // Caches must not serve one origin's answer to another.
    headers.vary = "Origin";
    const origin = request.headers.get("origin");
    if (origin !== null && allowed.has(origin)) headers["access-control-allow-origin"] = origin;
  }

  return headers;
}

/** The answer to a preflight (OPTIONS) for a JSON POST: refused for an origin that may not call. */
export function preflightResponse(request: Request, methods = "POST"): Response {
  const refused = refuseOrigin(request);
  if (refused) return refused;

  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(request),
      "access-control-allow-methods": methods,
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": "86400",
    },
  });
}

/** The same response with the CORS headers for this request's origin added. */
export function withCors(request: Request, response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(corsHeaders(request))) headers.set(name, value);

  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
