import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_HOW_TO, findChromium } from "./tests/support/chromium";

const executablePath = findChromium();
if (!executablePath) throw new Error(CHROMIUM_HOW_TO);

/**
 * Browser tests whose outcome the database does not change (layout, headers, the embed, the
 * reader's pages): with TEST_DATABASE_FREE=0 they are left out, as CI does in its PostgreSQL run
 * after running them against the embedded database (scripts/test.ts).
 */
export const DATABASE_FREE_SPECS = ["box-layout.spec.ts", "http.spec.ts", "client-address.spec.ts", "reader-pages.spec.ts", "widget.spec.ts", "finance.spec.ts"];

export default defineConfig({
  testDir: "tests/e2e",
  testIgnore: process.env.TEST_DATABASE_FREE === "0" ? DATABASE_FREE_SPECS.map((file) => `**/${file}`) : [],
  globalSetup: "./tests/e2e/global-setup.ts",
  // One worker: the app and the stand-in it drives are started once per worker.
  workers: 1,
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
