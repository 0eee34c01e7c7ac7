/**
 * Every response's security headers, in one table that next.config.ts turns into Next's `headers()`.
 * Next applies those after a route's own response headers and lets them overwrite, so a route that
 * needs a stricter policy than the site's cannot set it itself: it is listed here, and the site-wide
 * rule leaves it out. The browser tests (tests/e2e/http.spec.ts) read every route's headers from the production server.
 */

export type HeaderPolicy = Record<string, string>;
export type HeaderRule = { source: string; headers: Array<{ key: string; value: string }> };

type Options = {
  /** `next dev`: React's development build evaluates code for its error overlay. */
  development: boolean;
  /** The app's public origin; an https one gets Strict-Transport-Security. */
  appUrl: string;
};

const csp = (directives: string[]) => directives.join("; ");

/** The site's own pages and routes: load nothing from anyone but us; be framed by no one. */
function sitePolicy({ development, appUrl }: Options): HeaderPolicy {
  return {
    "Content-Security-Policy": csp([
      "default-src 'self'",
      // Next's App Router inlines the scripts that hydrate the page; it has no nonce without a
      // proxy (middleware) in front of every page, which this app does not run.
      `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ""}`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "object-src 'none'",
    ]),
    // Older browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    // Another origin learns at most our origin, never a page's address (a session id, a reminder).
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    ...hsts(appUrl),
  };
}

function hsts(appUrl: string): HeaderPolicy {
  // Browsers ignore the header over plain http; sent only where the app is served over https, so a
  // local run never pins localhost to https.
  return appUrl.startsWith("https://") ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {};
}

/** Routes with a policy of their own, stricter than the site's. Sources use Next's path syntax. */
function ownPolicies(options: Options): Array<{ source: string; policy: HeaderPolicy }> {
  const base = sitePolicy(options);

  return [
    {
      // An email's HTML in the local mailbox, framed by the mailbox page: it may load nothing at all,
      // so an email that needs anything from anywhere shows broken here before a supporter sees it.
      source: "/mailbox/message/html",
      policy: {
        ...base,
        "Content-Security-Policy": csp(["default-src 'none'", "style-src 'unsafe-inline'", "img-src data:", "frame-ancestors 'self'", "form-action 'none'", "base-uri 'none'"]),
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "no-referrer",
      },
    },
    {
      // The page a sign-in link opens: its address carries the link's token, which no other site may
      // see in a Referer. "same-origin" rather than "no-referrer": the page's own POST keeps its
      // Origin header, which the sign-in route checks.
      source: "/sign-in/confirm",
      policy: { ...base, "Referrer-Policy": "same-origin" },
    },
    {
      // A discreet giver's receipt, saved to their disk: no script, no address of ours in a Referer.
      source: "/donate/receipt",
      policy: {
        ...base,
        "Content-Security-Policy": csp(["default-src 'none'", "style-src 'unsafe-inline'", "frame-ancestors 'none'", "form-action 'none'", "base-uri 'none'"]),
        "Referrer-Policy": "no-referrer",
      },
    },
  ];
}

const asHeaders = (policy: HeaderPolicy) => Object.entries(policy).map(([key, value]) => ({ key, value }));

/** Next's `headers()` rules: the site's policy everywhere but the routes that have their own. */
export function securityHeaderRules(options: Options): HeaderRule[] {
  const own = ownPolicies(options);
  // Next matches a source against the path without a trailing slash; the look-ahead keeps the site's
  // rule off the routes above, so their headers are theirs alone.
  const excluded = own.map(({ source }) => source.slice(1).replace(/:\w+/g, "[^/]+")).join("|");

  return [
    { source: `/:path((?!(?:${excluded})$).*)`, headers: asHeaders(sitePolicy(options)) },
    ...own.map(({ source, policy }) => ({ source, headers: asHeaders(policy) })),
  ];
}

/** The headers a path gets, by the same table (for tests and the start-up check). */
export function expectedSecurityHeaders(path: string, options: Options): HeaderPolicy {
  for (const { source, policy } of ownPolicies(options)) {
    const pattern = new RegExp(`^${source.replace(/:\w+/g, "[^/]+")}/?$`);
    if (pattern.test(path)) return policy;
  }

  return sitePolicy(options);
}
