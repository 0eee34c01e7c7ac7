import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "@playwright/test";

/** Playwright's own Chromium, where `npx playwright install chromium` puts it, if it is there. */
export function playwrightChromium(): string | null {
  try {
    const bundled = chromium.executablePath();

    return bundled && existsSync(bundled) ? bundled : null;
  } catch {
    // Playwright's browser is not installed.
    return null;
  }
}

/** Where a Chromium is looked for, in order: CHROMIUM_PATH, Debian's /usr/bin/chromium, Playwright's own. */
export function chromiumCandidates(): Array<string | null | undefined> {
  return [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", playwrightChromium()];
}

/**
 * The Chromium the browser tests drive: the first of `candidates` that exists. Null when there is
 * none, so the test command can fetch one or stop with instructions instead of skipping the
 * browser tests.
 */
export function findChromium(candidates: Array<string | null | undefined> = chromiumCandidates()): string | null {
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;

  return null;
}

export const CHROMIUM_HOW_TO = `No Chromium found for the browser tests. Install one of:
  - Debian/Ubuntu:  sudo apt-get install chromium
  - any system:     npx playwright install chromium
  - or point CHROMIUM_PATH at a Chromium or Chrome binary.`;

// The installed @playwright/test's own CLI, the one `npx playwright` runs: it fetches the browser
// build that this Playwright drives.
const PLAYWRIGHT_CLI = createRequire(import.meta.url).resolve("@playwright/test/cli");

export type ChromiumOutcome = { path: string; fetched: boolean; note: string | null } | { path: null; message: string };

/**
 * A Chromium for the browser tests: one already here, else Playwright's, fetched now with
 * `npx playwright install chromium` (what a newcomer would be told to run), else the instructions.
 * `candidates` is looked at again after the fetch; tests narrow it to Playwright's own to play a
 * machine without a system Chromium. The fetch's output goes to `echo` as it comes (its progress).
 */
export async function ensureChromium(
  options: { candidates?: () => Array<string | null | undefined>; echo?: (chunk: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<ChromiumOutcome> {
  const candidates = options.candidates ?? chromiumCandidates;
  const found = findChromium(candidates());
  if (found) return { path: found, fetched: false, note: null };

  options.echo?.("No Chromium found for the browser tests: fetching Playwright's (npx playwright install chromium)…\n");
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [PLAYWRIGHT_CLI, "install", "chromium"], {
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      options.echo?.(chunk.toString());
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (error) => resolve({ code: null, output: `${output}${error.message}\n` }));
    child.on("close", (exitCode) => resolve({ code: exitCode, output }));
  });

  // Looked for whatever the exit code: the browser can be in place while an extra Playwright
  // fetches with it (ffmpeg, for video) failed, and the tests need only the browser.
  const fetched = findChromium(candidates());
  if (fetched) {
    return {
      path: fetched,
      fetched: true,
      note: `Fetched Playwright's Chromium: ${fetched}.${code === 0 ? "" : ` (The fetch ended with exit ${code}; the browser is in place.)`} If it cannot start for missing system libraries: sudo npx playwright install-deps chromium`,
    };
  }
  const reason = /^Error: (.+)$/m.exec(output)?.[1] ?? `exit ${code}`;

  return { path: null, message: `Fetching Playwright's Chromium failed (${reason}).\n${CHROMIUM_HOW_TO}` };
}

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
