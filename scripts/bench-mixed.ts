import { randomBytes, randomUUID } from "node:crypto";
import os from "node:os";
import autocannon from "autocannon";
import { signPayload } from "../stripe-sandbox/webhooks";
import { findNginx, startNginx } from "../tests/support/nginx";
import { makeCompletedEvents } from "./lib/bench-gifts";
import { reportGoal } from "./lib/goals";
import { scratchDatabase } from "./lib/scratch-database";
import { ensureBuilt, freePort, startApp, startStripeSandbox, stopProcess } from "./lib/processes";

/**
 * `npm run bench:mixed`: a busy minute on two production instances on one PostgreSQL server behind
 * nginx (round robin), as a newsroom that outgrew one machine runs them: readers pressing Continue,
 * Stripe's webhooks for the gifts they make, supporters asking for sign-in links and finance staff
 * loading the dashboard, all at once at fixed rates. Prints each route's answers, errors and
 * latency, and how long after the minute the last gift reached the ledger.
 *
 * Options (environment): DATABASE_URL (a server to create a scratch database on; default
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_SECONDS (default 60), BENCH_STRIPE_BUDGET
 * (the workers' STRIPE_WORKER_REQUESTS_PER_SECOND; default 10000, as the stand-in has no rate limit).
 */
const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const STRIPE_BUDGET = process.env.BENCH_STRIPE_BUDGET ?? "10000";
const SECRET = "whsec_readerfund_bench_mixed";
const ADMIN = "admin@example.org";
// Requests a second, all instances together: a year-end appeal's busy minute for a mid-sized newsroom.
const RATES = { checkout: 10, webhook: 30, signIn: 2, dashboard: 1 };

if (!findNginx()) throw new Error("nginx is not installed (apt-get install nginx-light): the two instances need a load balancer");

const scratch = await scratchDatabase(SERVER_URL, "rf_bench_mixed");
const db = scratch.db;

console.log("Building (if needed)…");
await ensureBuilt({ quiet: true });
const [proxyPort, sandboxPort, firstPort, secondPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
const sandbox = await startStripeSandbox({ port: sandboxPort, webhookUrl: null, webhookSecret: SECRET });
const appUrl = `http://127.0.0.1:${proxyPort}`;
const appEnv = {
  DATABASE_URL: scratch.url,
  APP_URL: appUrl,
  STRIPE_API_BASE: sandbox.url,
  STRIPE_WEBHOOK_SECRET: SECRET,
  STRIPE_WORKER_REQUESTS_PER_SECOND: STRIPE_BUDGET,
  // The load generator says who each reader is in a header nginx passes through, as a CDN would.
  CLIENT_IP_HEADER: "x-bench-client",
  WEBHOOK_WORKER_POLL_MS: "500",
  LOG_LEVEL: "error",
};
const apps = await Promise.all([startApp({ port: firstPort, env: appEnv }), startApp({ port: secondPort, env: appEnv })]);
const proxy = await startNginx({ upstreamPorts: [firstPort, secondPort], port: proxyPort });

let clients = 0;
/** A documentation-range address (198.18.0.0/15) not used before in this run: each reader their own. */
const nextClient = () => {
  const n = clients++;

  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
};

type RouteRun = { route: string; rate: number; result: autocannon.Result };

try {
  // Finance staff: an admin (ADMIN_EMAILS' local default) with a session, as signing in leaves one.
  const [user] = await db<Array<{ id: string }>>`insert into users (id, email, email_verified) values (${randomUUID()}, ${ADMIN}, now()) returning id`;
  const sessionToken = randomBytes(24).toString("hex");
  await db`insert into sessions (session_token, user_id, expires) values (${sessionToken}, ${user!.id}, now() + interval '1 day')`;

  const webhookBodies = await makeCompletedEvents(sandbox.url, RATES.webhook * SECONDS);
  // Warm both instances' routes so the minute measures running, not first-request compilation.
  for (const app of apps) {
    for (const path of ["/api/health/live", "/finance", "/sign-in"]) await fetch(`${app.url}${path}`, { headers: { cookie: `authjs.session-token=${sessionToken}` } });
  }

  const signedAt = Math.floor(Date.now() / 1000);
  let nextWebhook = 0;
  const load = (route: string, rate: number, options: autocannon.Options) =>
    autocannon({ connections: Math.max(2, Math.ceil(rate / 5)), overallRate: rate, duration: SECONDS, ...options }).then((result): RouteRun => ({ route, rate, result }));
  const started = Date.now();
  const runs = await Promise.all([
    load("POST /api/checkout", RATES.checkout, {
      url: `${appUrl}/api/checkout`,
      requests: [
        {
          method: "POST",
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ frequency: "once", currency: "eur", amount: "10", locale: "en", attemptId: randomUUID() }),
            headers: { "content-type": "application/json", origin: appUrl, "x-bench-client": nextClient() },
          }),
        },
      ],
    }),
    load("POST /api/stripe/webhook", RATES.webhook, {
      url: `${appUrl}/api/stripe/webhook`,
      amount: webhookBodies.length,
      requests: [
        {
          method: "POST",
          setupRequest: (request) => {
            const body = webhookBodies[nextWebhook++ % webhookBodies.length]!;

            return { ...request, body, headers: { "content-type": "application/json", "stripe-signature": signPayload(body, SECRET, signedAt) } };
          },
        },
      ],
    }),
    load("POST /api/auth/sign-in", RATES.signIn, {
      url: `${appUrl}/api/auth/sign-in`,
      requests: [
        {
          method: "POST",
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ email: `reader-${randomUUID()}@example.org` }),
            headers: { "content-type": "application/json", origin: appUrl, "x-bench-client": nextClient() },
          }),
        },
      ],
    }),
    load("GET /finance", RATES.dashboard, { url: `${appUrl}/finance`, headers: { cookie: `authjs.session-token=${sessionToken}` } }),
  ]);
  const loadEndedAt = Date.now();

  // Every gift whose webhook was answered, in the ledger: how long after the minute the last one came.
  const answered = runs.find((r) => r.route === "POST /api/stripe/webhook")!.result["2xx"];
  let recorded = 0;
  while (Date.now() - loadEndedAt < 180_000) {
    // Only webhooks write gifts: the sessions Continue made in the minute were never paid.
    [{ recorded }] = (await db`select count(*)::int as recorded from gifts`) as unknown as [{ recorded: number }];
    if (recorded >= answered) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const drainedAfterMs = Date.now() - loadEndedAt;
  const [{ parked }] = (await db`select count(*)::int as parked from stripe_events where status = 'failed'`) as unknown as [{ parked: number }];

  console.log(
    `\nMixed load: two production instances behind nginx, one PostgreSQL server, ${os.cpus().length} cores shared with the load generator, ` +
      `${((loadEndedAt - started) / 1000).toFixed(0)} s, workers' Stripe budget ${STRIPE_BUDGET} requests/s`,
  );
  console.log(["route".padEnd(26), "rate/s".padStart(6), "answers".padStart(8), "errors".padStart(7), "error %".padStart(8), "p50 ms".padStart(7), "p99 ms".padStart(7), "max ms".padStart(7)].join(" "));
  for (const { route, rate, result } of runs) {
    const errors = result.non2xx + result.errors + result.timeouts;
    const answers = result["2xx"] + result.non2xx;
    console.log(
      [
        route.padEnd(26),
        String(rate).padStart(6),
        String(answers).padStart(8),
        String(errors).padStart(7),
        ((100 * errors) / Math.max(1, answers + result.errors + result.timeouts)).toFixed(2).padStart(8),
        String(result.latency.p50).padStart(7),
        String(result.latency.p99).padStart(7),
        String(result.latency.max).padStart(7),
      ].join(" "),
    );
    reportGoal({
      name: `mixed load, two instances: ${route} at ${rate}/s`,
      goal: "no errors (p99 shown)",
      measured: `${errors} errors of ${answers + result.errors + result.timeouts}, p99 ${result.latency.p99} ms`,
      met: errors === 0,
      margin: errors === 0 ? "none failed" : `${errors} failed`,
    });
  }
  console.log(`Gifts whose webhook was answered: ${answered}; in the ledger: ${recorded}, the last ${drainedAfterMs} ms after the minute; parked events: ${parked}`);
  reportGoal({
    name: "mixed load, two instances: every answered gift in the ledger",
    goal: "all, none parked",
    measured: `${recorded} of ${answered}, ${drainedAfterMs} ms after the load`,
    met: recorded >= answered && parked === 0,
    margin: recorded >= answered && parked === 0 ? "none missing" : `${answered - recorded} missing, ${parked} parked`,
  });
} finally {
  await proxy.stop();
  for (const app of apps) await stopProcess(app.child);
  await stopProcess(sandbox.child);
  await scratch.drop();
}
