import { inject } from "vitest";

// Runs before each test file is imported: point the app's environment at the run's stand-in.
// The database is chosen per file by useTestDatabase().
process.env.STRIPE_API_BASE = inject("stripeApiBase");
delete process.env.STRIPE_SECRET_KEY;
delete process.env.STRIPE_WEBHOOK_SECRET;
process.env.APP_URL = "http://localhost:3000";
process.env.WEBHOOK_WORKER_POLL_MS = "0";
// Tests play the proxy: they say who the client is in X-Forwarded-For, as a proxy appending to it would.
process.env.CLIENT_IP_HEADER = "x-forwarded-for";
// The app's REDIS_URL would move every test's rate limits into a shared Redis; the Redis test
// reads TEST_REDIS_URL instead.
delete process.env.REDIS_URL;
