import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { EnvError, env } from "./lib/env";
import { securityHeaderRules } from "./lib/security/headers";
import { trailingSlashRedirects } from "./lib/security/trailing-slash";

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
    // forbidden(): a signed-in person who is not staff gets a 403 from the finance pages.
    experimental: { authInterrupts: true },
    // Next's own redirect of a trailing slash answers before any route runs; Stripe counts a 3xx as a
    // failed delivery, so the webhook must be reached with or without one. The same redirect, minus
    // the webhook, is made below.
    skipTrailingSlashRedirect: true,
    async redirects() {
      return trailingSlashRedirects();
    },
    async headers() {
      // Evaluated by `next build`: the production server serves the headers the build recorded
      // (lib/server-process.ts refuses to start if this environment would record others).
      return securityHeaderRules({ development: phase === PHASE_DEVELOPMENT_SERVER, appUrl: env().appUrl });
    },
  };
}
