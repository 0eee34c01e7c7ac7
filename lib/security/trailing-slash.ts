/** Paths that must answer as themselves with a trailing slash too: a redirect would fail the caller. */
export const NO_TRAILING_SLASH_REDIRECT = ["api/stripe/webhook"];

/**
 * Next's default redirect of `/path/` to `/path` (308), for every path but those above. Stripe treats
 * any 3xx as a failed delivery, so an endpoint registered with a slash would fail every event for
 * three days and then be disabled.
 */
export function trailingSlashRedirects() {
  const kept = NO_TRAILING_SLASH_REDIRECT.join("|");

  return [{ source: `/:path((?!(?:${kept})/$).+)/`, destination: "/:path", permanent: true }];
}
