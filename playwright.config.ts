import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_HOW_TO, findChromium } from "./tests/support/chromium";

const executablePath = findChromium();
if (!executablePath) throw new Error(CHROMIUM_HOW_TO);

/**
 * CI runs `npm test` twice, against the embedded database and against a PostgreSQL server, and runs
 * each browser test once (TEST_SHARE in scripts/test.ts): these, which turn on the server's own
 * behaviour (concurrent connections taking the same rows, the database going away), in the server
 * run; every other one, which gives and renders through the embedded database as `npm start` does,
 * in the embedded run. Without TEST_SHARE every spec runs.
 */
export const SERVER_SPECS = ["give-once.spec.ts", "give-monthly.spec.ts", "database-outage.spec.ts", "supporters-account.spec.ts", "supporters-russian.spec.ts", "several-instances.spec.ts", "killed.spec.ts"];
const share = process.env.TEST_SHARE;

export default defineConfig({
  testDir: "tests/e2e",
  testIgnore: share === "embedded" ? SERVER_SPECS.map((file) => `**/${file}`) : [],
  testMatch: share === "server" ? SERVER_SPECS.map((file) => `**/${file}`) : undefined,
  globalSetup: "./tests/e2e/global-setup.ts",
  // Two workers, each with its own app, stand-in and database (a worker-scoped stack, fixtures.ts):
  // much of a browser test is waiting (for webhooks, emails, a restarted database), and on CI's two
  // cores two at a time took the browser steps from 254 + 174 s to 200 + 127 s.
  workers: 2,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    browserName: "chromium",
    launchOptions: { executablePath, args: CHROMIUM_ARGS },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
