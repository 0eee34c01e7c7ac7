import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureChromium } from "../tests/support/chromium";
import { awkwardDates } from "./lib/awkward-dates";
import { ROOT } from "./lib/processes";

/**
 * `npm test`: every test, in order of speed: types, lint, unit + integration + stand-in (vitest),
 * the suites that depend on billing periods again with the stand-in's clock at each awkward date,
 * then the browser tests (Playwright) on the production build. The database is the embedded one,
 * or the PostgreSQL server named by DATABASE_URL (tests create and drop their own databases there).
 * With no Chromium it fetches Playwright's (`npx playwright install chromium`), so that `npm ci &&
 * npm test` is all the set-up a newcomer needs; only if that fails does it stop at once and say how
 * to get one. It never skips the browser tests.
 * TEST_AWKWARD_DATES=0 leaves out the awkward dates (CI runs them in one of its two runs only);
 * TEST_SHARE=embedded|server is CI's split of one run's work between its two databases: the server
 * run leaves out what the database cannot change (types, lint, unit, stand-in and script tests);
 * the browser tests run once each, split by SERVER_SPECS in playwright.config.ts. Unset: everything;
 * `npm test -- "awkward dates"` runs only the steps named.
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
const VITEST = bin("vitest", "vitest.mjs");

/**
 * The suites whose outcome depends on billing periods and dates: the stand-in's that bill, renew,
 * pay out or keep the clock, and those with a stand-in of their own that bills, renews or dates what
 * they check (the email sender's retries, the stand-in's cards and lists do not).
 */
const CALENDAR_SUITES = [
  ...["subscriptions", "billing", "clock", "clock-start", "state-file", "sandbox", "portal", "payouts"].map((name) => `tests/stripe-sandbox/${name}.test.ts`),
  "tests/integration/recurring/",
  "tests/integration/email/notify.test.ts",
  "tests/integration/scheduled/yearly-statements.test.ts",
];

/** The vitest suites whose outcome depends on the database: every other one runs once in CI. */
const DATABASE_SUITES = ["tests/integration/"];
const databaseFreeLeftOut = process.env.TEST_SHARE === "server";

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;

function run(args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHROMIUM_PATH: chromium!, ...env },
    });
    // "close", not "exit": the output has been written out by then.
    child.on("close", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
}

async function leftOut(): Promise<number> {
  console.log("Left out: TEST_SHARE=server (the database does not change its outcome; CI runs it against the embedded one).");

  return 0;
}

/** The failed tests in a vitest JSON report, each with the start of its message; or why there are none to show. */
function failuresIn(report: string): string {
  type Report = { testResults?: Array<{ name: string; message?: string; assertionResults?: Array<{ fullName: string; status: string; failureMessages?: string[] }> }> };
  let parsed: Report;
  try {
    parsed = JSON.parse(fs.readFileSync(report, "utf8")) as Report;
  } catch {
    return "  (vitest wrote no report: the run ended before its tests did; see its output above)";
  }
  const lines: string[] = [];
  const head = (text: string) => text.split("\n").slice(0, 12).map((l) => `      ${l}`).join("\n");
  for (const file of parsed.testResults ?? []) {
    const name = path.relative(ROOT, file.name);
    for (const test of file.assertionResults ?? []) if (test.status === "failed") lines.push(`  ${name} > ${test.fullName}\n${head((test.failureMessages ?? []).join("\n"))}`);
    if (file.message) lines.push(`  ${name}\n${head(file.message)}`);
  }

  return lines.length > 0 ? lines.join("\n") : "  (no test failed in the report: the run's own exit code failed it; see its output above)";
}

/** Each awkward date in turn, all of them even after a failure; one line per date, then a summary. */
async function atAwkwardDates(): Promise<number> {
  if (process.env.TEST_AWKWARD_DATES === "0") {
    console.log("Left out: TEST_AWKWARD_DATES=0 (CI runs them against the other database).");

    return 0;
  }
  const results: string[] = [];
  const failures: string[] = [];
  let failed = 0;
  for (const date of awkwardDates(new Date())) {
    const start = date.start.toISOString();
    console.log(`\n· ${date.name}: TEST_CLOCK_START=${start} TZ=${date.timeZone}`);
    const began = Date.now();
    const report = path.join(os.tmpdir(), `readerfund-awkward-${process.pid}-${results.length}.json`);
    const code = await run([VITEST, "run", "--reporter=dot", "--reporter=json", `--outputFile.json=${report}`, ...CALENDAR_SUITES], {
      TEST_CLOCK_START: start,
      TZ: date.timeZone,
      TEST_CALENDAR_PASS: "1",
    });
    const line = `${code === 0 ? "✓" : "✗"} ${start} ${date.timeZone.padEnd(16)} ${code === 0 ? "passed" : "FAILED"} in ${seconds(began).padStart(5)}  ${date.name}`;
    console.log(line);
    results.push(line);
    if (code !== 0) {
      failed++;
      failures.push(`${line}\n${failuresIn(report)}`);
    }
    fs.rmSync(report, { force: true });
  }
  // A CI log is often read from its end: what failed at which date is repeated there.
  if (failures.length > 0) console.log(`\nWhat failed:\n${failures.join("\n\n")}`);
  console.log(`\nThe billing-period suites at each awkward date:\n${results.join("\n")}`);
  if (failed > 0) console.error(`To run one again: TEST_CLOCK_START=<instant> TZ=<zone> npx vitest run ${CALENDAR_SUITES.join(" ")}`);

  return failed > 0 ? 1 : 0;
}

const steps: Array<{ name: string; run: () => Promise<number> }> = [
  { name: "typecheck", run: () => (databaseFreeLeftOut ? leftOut() : run([bin("typescript", "bin/tsc"), "--noEmit", "-p", "."])) },
  { name: "lint", run: () => (databaseFreeLeftOut ? leftOut() : run([bin("eslint", "bin/eslint.js"), "."])) },
  { name: "vitest", run: () => run([VITEST, "run", ...(databaseFreeLeftOut ? DATABASE_SUITES : [])]) },
  { name: "awkward dates", run: atAwkwardDates },
  { name: "playwright", run: () => run([bin("@playwright/test", "cli.js"), "test"]) },
];

type Step = (typeof steps)[number];

const only = process.argv.slice(2);
const unknown = only.filter((name) => !steps.some((step) => step.name === name));
if (unknown.length > 0) {
  console.error(`No such step: ${unknown.join(", ")}. The steps: ${steps.map((step) => step.name).join(", ")}.`);
  process.exit(2);
}

const database = process.env.DATABASE_URL ? "PostgreSQL server (DATABASE_URL)" : "embedded PGlite";
console.log(`Running every test against ${database}, browser ${chromium}.`);
const started = Date.now();

async function runStep(step: Step): Promise<{ step: Step; code: number; took: string }> {
  const stepStarted = Date.now();
  console.log(`\n── ${step.name} ${"─".repeat(Math.max(0, 60 - step.name.length))}`);
  const code = await step.run();
  const took = seconds(stepStarted);
  console.log(code === 0 ? `✓ ${step.name} passed in ${took}.` : `\n✗ ${step.name} failed (exit ${code}) after ${took}.`);

  return { step, code, took };
}

let failed: { step: Step; code: number; took: string } | undefined;
for (const step of steps.filter((s) => only.length === 0 || only.includes(s.name))) {
  const result = await runStep(step);
  if (result.code !== 0) {
    failed = result;
    break;
  }
}
if (failed) process.exit(failed.code);
console.log(`\n${only.length === 0 ? "All tests" : only.join(", ")} passed against ${database} in ${seconds(started)}.`);
