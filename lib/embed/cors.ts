/**
 * The widget runs on the newsroom's article pages, another origin than this app, and calls our
 * JSON endpoints from there. Any origin may: these endpoints take no cookies and no credentials
 * (the visitor id travels in the body), so CORS guards nothing here that the rate limits do not.
 */
const ALLOWED_HEADERS = "content-type";

export function corsHeaders(): Record<string, string> {
  return {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "retry-after",
  };
}

/** The answer to a preflight (OPTIONS) for a JSON POST. */
export function preflightResponse(methods = "POST"): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(),
      "access-control-allow-methods": methods,
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": "86400",
    },
  });
}

/** The same response with the CORS headers added. */
export function withCors(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(corsHeaders())) headers.set(name, value);

  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
