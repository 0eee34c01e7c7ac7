import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

/**
 * The Chromium the browser tests drive: CHROMIUM_PATH if set, else Debian's /usr/bin/chromium,
 * else Playwright's own if it was installed. Null when there is none, so the test command can stop
 * with instructions instead of skipping the browser tests.
 */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  try {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundled;
  } catch {
    // Playwright's browser is not installed.
  }

  return null;
}

export const CHROMIUM_HOW_TO = `No Chromium found for the browser tests. Install one of:
  - Debian/Ubuntu:  sudo apt-get install chromium
  - any system:     npx playwright install chromium
  - or point CHROMIUM_PATH at a Chromium or Chrome binary.`;

// Flags for a closed network: without the background-networking ones Chromium keeps dialling out.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
