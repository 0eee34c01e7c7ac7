import { spawn } from "node:child_process";
import path from "node:path";
import { ensureChromium } from "../tests/support/chromium";
import { ROOT } from "./lib/processes";

/**
 * `npm test`: every test, in order of speed: types, lint, unit + integration + stand-in (vitest),
 * then the browser tests (Playwright) on the production build. The database is the embedded one,
 * or the PostgreSQL server named by DATABASE_URL (tests create and drop their own databases there).
 * With no Chromium it fetches Playwright's (`npx playwright install chromium`), so that `npm ci &&
 * npm test` is all the set-up a newcomer needs; only if that fails does it stop at once and say how
 * to get one. It never skips the browser tests.
 */
const found = await ensureChromium({ echo: (chunk) => process.stdout.write(chunk) });
if (found.path === null) {
  console.error(found.message);
  process.exit(1);
}
if (found.note) console.log(found.note);
const chromium = found.path;

// Package bins by path: their "exports" maps do not all expose them to require.resolve.
const bin = (pkg: string, file: string) => path.join(ROOT, "node_modules", pkg, file);

const steps: Array<{ name: string; args: string[] }> = [
  { name: "typecheck", args: [bin("typescript", "bin/tsc"), "--noEmit", "-p", "."] },
  { name: "lint", args: [bin("eslint", "bin/eslint.js"), "."] },
  { name: "vitest", args: [bin("vitest", "vitest.mjs"), "run"] },
  { name: "playwright", args: [bin("@playwright/test", "cli.js"), "test"] },
];

const database = process.env.DATABASE_URL ? "PostgreSQL server (DATABASE_URL)" : "embedded PGlite";
console.log(`Running every test against ${database}, browser ${chromium}.`);
const started = Date.now();
for (const step of steps) {
  const stepStarted = Date.now();
  console.log(`\n── ${step.name} ${"─".repeat(Math.max(0, 60 - step.name.length))}`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, step.args, {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHROMIUM_PATH: chromium },
    });
    child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  if (code !== 0) {
    console.error(`\n✗ ${step.name} failed (exit ${code}) after ${((Date.now() - stepStarted) / 1000).toFixed(0)} s.`);
    process.exit(code);
  }
  console.log(`✓ ${step.name} passed in ${((Date.now() - stepStarted) / 1000).toFixed(0)} s.`);
}
console.log(`\nAll tests passed against ${database} in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
