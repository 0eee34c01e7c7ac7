import { afterAll, expect, inject } from "vitest";
import { leaksIn } from "./log-scan";

// Runs before each test file is imported: point the app's environment at the run's stand-in.
// The database is chosen per file by useTestDatabase().
process.env.STRIPE_API_BASE = inject("stripeApiBase");
delete process.env.STRIPE_SECRET_KEY;
delete process.env.STRIPE_WEBHOOK_SECRET;
process.env.APP_URL = "http://localhost:3000";
process.env.WEBHOOK_WORKER_POLL_MS = "0";
// The workers' share of Stripe's rate limit is the budget's own test's (tests/integration/stripe/
// request-budget.test.ts); elsewhere it would only make the suites wait on the stand-in, which has none.
process.env.STRIPE_WORKER_REQUESTS_PER_SECOND ??= "10000";
// Tests play the proxy: they say who the client is in X-Forwarded-For, as a proxy appending to it would.
process.env.CLIENT_IP_HEADER = "x-forwarded-for";
// The app's REDIS_URL would move every test's rate limits into a shared Redis; the Redis test
// reads TEST_REDIS_URL instead.
delete process.env.REDIS_URL;

// Every line the app's logger writes during the suite (at debug, vitest's config) is checked for
// personal data and secrets, and kept off the console unless TEST_LOG_OUTPUT=1. A file fails if its
// tests made the app log one.
const leaks: string[] = [];
for (const method of ["log", "error", "warn", "info", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    const first = args[0];
    if (typeof first === "string" && first.startsWith('{"t":"')) {
      const secrets = [process.env.CRON_SECRET, process.env.APP_SECRET].filter((value): value is string => !!value);
      for (const what of leaksIn(first, secrets)) leaks.push(`${what}: ${first.slice(0, 400)}`);
      if (process.env.TEST_LOG_OUTPUT !== "1") return;
    }
    original(...args);
  };
}
afterAll(() => {
  expect(leaks, "log lines with personal data or secrets").toEqual([]);
});
