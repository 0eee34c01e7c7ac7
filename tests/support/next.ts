/**
 * Next's request-time pieces as tests call pages, routes and actions directly, without Next around
 * them: the session cookie they read, and what the control flow Next throws means to a browser.
 */

/**
 * next/headers' cookies() for a test that sets the session token per call (null: none), for
 * `vi.mock("next/headers", …)`; lib/auth/current-actor.ts reads it, erasure deletes from it.
 */
export function cookieJarOf(cookie: { value: string | null }) {
  return async () => ({
    get: () => (cookie.value === null ? undefined : { value: cookie.value }),
    getAll: () => (cookie.value === null ? [] : [{ name: "authjs.session-token", value: cookie.value }]),
    has: () => cookie.value !== null,
    set: () => {},
    delete: () => {},
  });
}

/** What a thrown Next redirect() or notFound()/forbidden() is to a browser, or null if it is neither. */
export function controlFlowOf(error: unknown): { kind: "redirect"; to: string } | { kind: "refused"; status: number } | null {
  const digest = (error as { digest?: unknown } | null)?.digest;
  if (typeof digest !== "string") return null;
  if (digest.startsWith("NEXT_REDIRECT")) return { kind: "redirect", to: digest.split(";")[2] ?? "" };
  if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK")) return { kind: "refused", status: Number(digest.split(";")[1]) };

  return null;
}
