import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { EnvError, env } from "./lib/env";

// A bad environment stops `next build`, `next start` and `next dev` with one message naming
// every bad variable, before anything is served.
try {
  env();
} catch (error) {
  if (error instanceof EnvError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

export default function nextConfig(phase: string): NextConfig {
  // React's development build evaluates code for its error overlay; production never does.
  const scriptSrc = phase === PHASE_DEVELOPMENT_SERVER ? "'self' 'unsafe-inline' 'unsafe-eval'" : "'self' 'unsafe-inline'";

  return {
    // Loaded from node_modules, not bundled: PGlite ships WebAssembly and data files;
    // rate-limiter-flexible imports drizzle-orm by a computed name; and stripe must be one copy
    // per process, because the client is shared through globalThis and a second bundled copy's
    // error classes fail `instanceof` (a 404 for a missing product read as "Stripe unreachable").
    serverExternalPackages: ["@electric-sql/pglite", "rate-limiter-flexible", "stripe", "ioredis"],
    poweredByHeader: false,
    // Every page's <title> and metadata in the first bytes of <head>, for every client: screen
    // readers announce the title at once, and a page read without JavaScript has it too (Next
    // otherwise streams metadata later to browsers it does not list here).
    htmlLimitedBots: /.*/,
    reactStrictMode: true,
    async headers() {
      return [
        {
          source: "/:path*",
          headers: [
            // Our pages load nothing from third parties; the policy makes that a promise the browser keeps.
            {
              key: "Content-Security-Policy",
              value: [
                "default-src 'self'",
                `script-src ${scriptSrc}`,
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data:",
                "font-src 'self'",
                "connect-src 'self'",
                "frame-ancestors 'self'",
                "base-uri 'self'",
                "object-src 'none'",
              ].join("; "),
            },
            { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
            { key: "X-Content-Type-Options", value: "nosniff" },
            { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
          ],
        },
      ];
    },
  };
}
