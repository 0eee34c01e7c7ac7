import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import autocannon from "autocannon";
import { atMost, reportGoal } from "./lib/goals";
import { ensureBuilt, freePort, type Started, startApp, startStripeSandbox, stopProcess } from "./lib/processes";
import { scratchDatabase } from "./lib/scratch-database";

/**
 * `npm run bench:checkout`: what Continue costs beyond Stripe's own time. (a) Creating a Checkout
 * Session on the stand-in directly, through its wire protocol, as the app's SDK does; (b) `POST
 * /api/checkout` of the production build, which checks the rate limits in its database and creates
 * the same session on the same stand-in. Both at 10 connections, in interleaved rounds; the overhead
 * is p99(b) − p99(a) of each round, and the figure is the median of the rounds (these machines are
 * noisy). Each request comes from an address of its own (CLIENT_IP_HEADER), as readers do, so the
 * rate limits count without refusing.
 *
 * The goal is measured on a PostgreSQL server, as production runs (APP_ENV=production requires
 * DATABASE_URL); then the same on the embedded database `npm start` uses, for information: there
 * the rate limits' statement runs in the app's own thread, in WebAssembly.
 *
 * Options (environment): DATABASE_URL (a server to create a scratch database on; default
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_REQUESTS (per run, default 1000),
 * BENCH_ROUNDS (default 3).
 */
const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 10;
const GOAL_OVERHEAD_P99_MS = 50;
const SECRET = "whsec_readerfund_bench_checkout";
const STRIPE_KEY = "sk_test_readerfund_bench_checkout";

console.log("Building (if needed)…");
await ensureBuilt({ quiet: true });
const dataDir = mkdtempSync(path.join(os.tmpdir(), "readerfund-bench-checkout-"));
const sandboxPort = await freePort();
const sandbox = await startStripeSandbox({ port: sandboxPort, webhookUrl: null, webhookSecret: SECRET });
const scratch = await scratchDatabase(SERVER_URL, "rf_bench_checkout");
let app: Started | null = null;

/** The production build on a port of its own, its database as given. */
async function startAppOn(database: Record<string, string>): Promise<Started> {
  const appPort = await freePort();

  return startApp({
    port: appPort,
    env: {
      ...database,
      APP_URL: `http://localhost:${appPort}`,
      STRIPE_API_BASE: sandbox.url,
      STRIPE_WEBHOOK_SECRET: SECRET,
      CLIENT_IP_HEADER: "x-forwarded-for",
      LOG_LEVEL: "error",
    },
  });
}

let addressCounter = 0;
/** A documentation-range address (198.18.0.0/15) not used before in this run. */
const nextAddress = () => {
  const n = addressCounter++;

  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
};

/** The session the app asks Stripe for, as the stand-in's wire protocol carries it. */
const sessionForm = () =>
  new URLSearchParams({
    mode: "payment",
    submit_type: "donate",
    "line_items[0][quantity]": "1",
    "line_items[0][price_data][currency]": "eur",
    "line_items[0][price_data][unit_amount]": "1000",
    "line_items[0][price_data][product_data][name]": "Gift",
    "metadata[kind]": "readerfund_gift",
    "metadata[frequency]": "once",
    success_url: "http://localhost/thank-you?session_id={CHECKOUT_SESSION_ID}",
    cancel_url: "http://localhost/donate",
  }).toString();

const percentileOf = (result: autocannon.Result) => result.latency.p99;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One run of `amount` requests at 10 connections, each made afresh by `next`. */
const load = (url: string, next: () => { body: string; headers: Record<string, string> }) =>
  autocannon({ url, connections: CONNECTIONS, amount: REQUESTS, requests: [{ method: "POST", setupRequest: (request) => ({ ...request, ...next() }) }] });
const direct = () =>
  load(`${sandbox.url}/v1/checkout/sessions`, () => ({
    body: sessionForm(),
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${STRIPE_KEY}`, "idempotency-key": randomUUID() },
  }));
const viaApp = (appUrl: string) => () =>
  load(`${appUrl}/api/checkout`, () => ({
    body: JSON.stringify({ frequency: "once", currency: "eur", amount: "10", locale: "en", attemptId: randomUUID() }),
    headers: { "content-type": "application/json", "x-forwarded-for": nextAddress() },
  }));

/** Interleaved rounds of (a) and (b) against one app; prints them and returns the median overhead. */
async function measure(database: string, started: Started): Promise<number> {
  // Warm both: the app's first requests compile its routes' code paths.
  await direct();
  await viaApp(started.url)();
  const rounds: Array<{ a: autocannon.Result; b: autocannon.Result }> = [];
  for (let round = 1; round <= ROUNDS; round++) rounds.push({ a: await direct(), b: await viaApp(started.url)() });

  console.log(`\nCheckout: production build, ${database}, ${os.cpus().length} cores, ${REQUESTS} requests per run, ${CONNECTIONS} connections`);
  console.log(["run".padEnd(44), "round".padStart(5), "req/s".padStart(7), "p50 ms".padStart(7), "p99 ms".padStart(7), "max ms".padStart(7), "non-2xx".padStart(8)].join(" "));
  for (const [index, { a, b }] of rounds.entries()) {
    for (const [label, r] of [
      ["(a) stand-in: POST /v1/checkout/sessions", a],
      ["(b) app: POST /api/checkout", b],
    ] as const) {
      console.log(
        [
          label.padEnd(44),
          String(index + 1).padStart(5),
          (r.requests.total / ((new Date(r.finish).getTime() - new Date(r.start).getTime()) / 1000)).toFixed(0).padStart(7),
          String(r.latency.p50).padStart(7),
          String(r.latency.p99).padStart(7),
          String(r.latency.max).padStart(7),
          String(r.non2xx + r.errors + r.timeouts).padStart(8),
        ].join(" "),
      );
    }
  }
  const overheads = rounds.map(({ a, b }) => percentileOf(b) - percentileOf(a));
  const refused = rounds.reduce((sum, { b }) => sum + b.non2xx + b.errors + b.timeouts, 0);
  const overhead = median(overheads);
  console.log(
    `\nOverhead of Continue beyond the stand-in's own time, p99(b) − p99(a), ${database}: ${overhead} ms median of ${overheads.join(", ")} ms (goal ≤ ${GOAL_OVERHEAD_P99_MS} ms); ` +
      `${refused} of the app's ${rounds.length * REQUESTS} answers not 2xx`,
  );

  return overhead;
}

try {
  app = await startAppOn({ DATABASE_URL: scratch.url });
  const onServer = await measure("PostgreSQL server", app);
  reportGoal(atMost(`checkout route: p99 beyond the stand-in's own, ${CONNECTIONS} connections`, onServer, GOAL_OVERHEAD_P99_MS, " ms"));
  await stopProcess(app.child);
  app = await startAppOn({ PGLITE_DATA_DIR: path.join(dataDir, "pglite") });
  const embedded = await measure("embedded database (npm start's)", app);
  reportGoal({ name: `checkout route: the same on the embedded database`, goal: "(shown)", measured: `${embedded} ms`, met: true, margin: "for information" });
} finally {
  if (app) await stopProcess(app.child);
  await stopProcess(sandbox.child);
  await scratch.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
