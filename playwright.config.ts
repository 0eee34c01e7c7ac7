import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_HOW_TO, findChromium } from "./tests/support/chromium";

const executablePath = findChromium();
if (!executablePath) throw new Error(CHROMIUM_HOW_TO);

export default defineConfig({
  testDir: "tests/e2e",
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
