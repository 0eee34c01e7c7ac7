import os from "node:os";
import autocannon from "autocannon";
import { signPayload } from "../stripe-sandbox/webhooks";
import { makeCompletedEvents as makeCompletedEventsOn } from "./lib/bench-gifts";
import { scratchDatabase } from "./lib/scratch-database";
import { ensureBuilt, freePort, startApp, startStripeSandbox, startWorker, stopProcess } from "./lib/processes";
import { atLeast, atMost, reportGoal } from "./lib/goals";

/**
 * `npm run bench:webhook`: the webhook route against a trivial route of the same production build,
 * on the PostgreSQL server, at 10 and 50 connections. Prints requests/s, p50 and p99 for each, the
 * ratio b/a, and how long after its 2xx each gift reached the ledger. Figures, not a pass/fail test.
 *
 * The machine is shared and noisy, so each connection count runs ROUNDS rounds of (a) then (b),
 * and the summary takes the median of the per-round ratios.
 *
 * Options (environment): DATABASE_URL (a server to create a scratch database on; default
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_REQUESTS (per run, default 3000),
 * BENCH_ROUNDS (default 3), BENCH_WORKERS (`in-process`, the default: the app applies what it
 * stores; `separate`: the app runs with WORKERS=separate and one `npm run worker` process applies).
 */
const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = [10, 50];
const SECRET = "whsec_readerfund_bench";
const WORKERS = process.env.BENCH_WORKERS === "separate" ? "separate" : "in-process";
// The workers' Stripe budget (STRIPE_WORKER_REQUESTS_PER_SECOND). The stand-in has no rate limit, so by
// default none binds and the figures are the app's own; BENCH_STRIPE_BUDGET=80 shows a burst under
// what a live account allows.
const STRIPE_BUDGET = process.env.BENCH_STRIPE_BUDGET ?? "10000";
const GOAL_RATIO = 0.8;
const GOAL_P99_MS = 100;

type Run = { label: string; connections: number; round: number; result: autocannon.Result };

// autocannon notices the end of a fixed-amount run only at its next sample, so sample often: the
// run's start and finish then bound it to within 20 ms instead of a whole second.
const SAMPLE_MS = 20;

/** Completed requests per second over the whole run. */
const rateOf = (r: autocannon.Result) => r.requests.total / ((new Date(r.finish).getTime() - new Date(r.start).getTime()) / 1000);

function row(run: Run): string {
  const r = run.result;
  const over2s = r.latency.max > 2000 ? "yes" : "no";

  return [
    run.label.padEnd(30),
    String(run.connections).padStart(5),
    String(run.round).padStart(5),
    String(r.requests.total).padStart(8),
    rateOf(r).toFixed(0).padStart(8),
    String(r.latency.p50).padStart(7),
    String(r.latency.p99).padStart(7),
    String(r.latency.max).padStart(7),
    over2s.padStart(6),
    String(r.non2xx + r.errors + r.timeouts).padStart(9),
  ].join(" ");
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;

  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const scratch = await scratchDatabase(SERVER_URL, "rf_bench");
const db = scratch.db;

console.log("Building (if needed)…");
await ensureBuilt({ quiet: true });
const [appPort, sandboxPort] = [await freePort(), await freePort()];
const sandbox = await startStripeSandbox({ port: sandboxPort, webhookUrl: null, webhookSecret: SECRET });
const appEnv = {
  DATABASE_URL: scratch.url,
  APP_URL: `http://localhost:${appPort}`,
  STRIPE_API_BASE: sandbox.url,
  STRIPE_WEBHOOK_SECRET: SECRET,
  STRIPE_WORKER_REQUESTS_PER_SECOND: STRIPE_BUDGET,
  LOG_LEVEL: "error",
  WORKERS,
};
const app = await startApp({ port: appPort, env: appEnv });
const worker = WORKERS === "separate" ? await startWorker({ env: { ...appEnv, LOG_LEVEL: "info" } }) : null;

try {
  const makeCompletedEvents = (count: number) => makeCompletedEventsOn(sandbox.url, count);

  const runs: Run[] = [];
  const lags: Record<number, Array<{ p50: number; p99: number; max: number; drainedAfterMs: number; recorded: number; readsPerGift: number }>> = {};
  /** The stand-in's count of API reads and writes so far (everyone's: here only the app reads while a burst drains). */
  const apiRequests = async () => (await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as { reads: number; writes: number };
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

  // Warm both routes (and the worker) so no run pays for first-request compilation and JIT warm-up.
  await autocannon({ url: `${app.url}/api/health/live`, connections: 5, amount: 1000 });
  const warmBodies = await makeCompletedEvents(500);
  const warmAt = Math.floor(Date.now() / 1000);
  let warmNext = 0;
  await autocannon({
    url: `${app.url}/api/stripe/webhook`,
    connections: 5,
    amount: warmBodies.length,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const body = warmBodies[warmNext++ % warmBodies.length]!;

          return { ...request, body, headers: { "content-type": "application/json", "stripe-signature": signPayload(body, SECRET, warmAt) } };
        },
      },
    ],
  });
  for (let waited = 0; waited < 60_000; waited += 200) {
    const [{ pending }] = (await db`select count(*)::int as pending from stripe_events where status = 'pending'`) as unknown as [{ pending: number }];
    if (pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  for (const connections of CONNECTIONS) {
    lags[connections] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const bodies = await makeCompletedEvents(REQUESTS);
      await db`truncate payments, gifts, stripe_customers, supporters, stripe_events cascade`;

      const trivial = await autocannon({ url: `${app.url}/api/health/live`, connections, amount: REQUESTS, sampleInt: SAMPLE_MS });
      const readsBefore = (await apiRequests()).reads;
      runs.push({ label: "(a) GET /api/health/live", connections, round, result: trivial });

      // Signed just before the run (Stripe's tolerance is five minutes), so the load generator does
      // no hashing while it competes with the app for the same two cores.
      const signedAt = Math.floor(Date.now() / 1000);
      const requests = bodies.map((body) => ({
        method: "POST" as const,
        body,
        headers: { "content-type": "application/json", "stripe-signature": signPayload(body, SECRET, signedAt) },
      }));
      let next = 0;
      const webhook = await autocannon({
        url: `${app.url}/api/stripe/webhook`,
        connections,
        amount: REQUESTS,
        sampleInt: SAMPLE_MS,
        requests: [{ method: "POST", setupRequest: (request) => ({ ...request, ...requests[next++ % requests.length]! }) }],
      });
      const lastAnswerAt = Date.now();
      runs.push({ label: "(b) POST /api/stripe/webhook", connections, round, result: webhook });

      // Wait for the worker to apply every event, then read each gift's lag from the database.
      const deadline = Date.now() + 180_000;
      let recorded = 0;
      while (Date.now() < deadline) {
        [{ recorded }] = (await db`select count(*)::int as recorded from gifts`) as unknown as [{ recorded: number }];
        if (recorded >= REQUESTS) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const drainedAfterMs = Date.now() - lastAnswerAt;
      const readsPerGift = ((await apiRequests()).reads - readsBefore) / Math.max(recorded, 1);
      const giftLags = (
        (await db`
          select extract(epoch from (g.recorded_at - e.received_at)) * 1000 as ms
          from gifts g join stripe_events e on e.object_id = g.stripe_checkout_session_id and e.type = 'checkout.session.completed'`) as unknown as Array<{ ms: string }>
      )
        .map((r) => Number(r.ms))
        .sort((x, y) => x - y);
      lags[connections].push({ p50: percentile(giftLags, 50), p99: percentile(giftLags, 99), max: giftLags.at(-1) ?? NaN, drainedAfterMs, recorded, readsPerGift });
    }
  }

  // At a newsroom's ordinary pace there is no backlog: how long from a webhook's 2xx to its gift.
  const SLOW_RATE = 5;
  const slowBodies = await makeCompletedEvents(50);
  await db`truncate payments, gifts, stripe_customers, supporters, stripe_events cascade`;
  const slowAt = Math.floor(Date.now() / 1000);
  let slowNext = 0;
  await autocannon({
    url: `${app.url}/api/stripe/webhook`,
    connections: 1,
    overallRate: SLOW_RATE,
    amount: slowBodies.length,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const body = slowBodies[slowNext++ % slowBodies.length]!;

          return { ...request, body, headers: { "content-type": "application/json", "stripe-signature": signPayload(body, SECRET, slowAt) } };
        },
      },
    ],
  });
  for (let waited = 0; waited < 30_000; waited += 100) {
    const [{ recorded }] = (await db`select count(*)::int as recorded from gifts`) as unknown as [{ recorded: number }];
    if (recorded >= slowBodies.length) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const slowLags = (
    (await db`
      select extract(epoch from (g.recorded_at - e.received_at)) * 1000 as ms
      from gifts g join stripe_events e on e.object_id = g.stripe_checkout_session_id and e.type = 'checkout.session.completed'`) as unknown as Array<{ ms: string }>
  )
    .map((r) => Number(r.ms))
    .sort((x, y) => x - y);

  console.log(
    `\nWebhook route vs a trivial route: production build, PostgreSQL server, ${os.cpus().length} cores, ${REQUESTS} requests per run, ` +
      (WORKERS === "separate" ? "events applied by a worker process (WORKERS=separate)" : "events applied in the app's own process") +
      `, workers' Stripe budget ${STRIPE_BUDGET} requests/s`,
  );
  console.log(
    ["route".padEnd(30), "conns".padStart(5), "round".padStart(5), "requests".padStart(8), "req/s".padStart(8), "p50 ms".padStart(7), "p99 ms".padStart(7), "max ms".padStart(7), ">2 s".padStart(6), "non-2xx".padStart(9)].join(" "),
  );
  for (const run of runs) console.log(row(run));
  console.log("");
  for (const connections of CONNECTIONS) {
    const ratios: number[] = [];
    const p99s: number[] = [];
    let slowest = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const a = runs.find((r) => r.connections === connections && r.round === round && r.label.startsWith("(a)"))!.result;
      const b = runs.find((r) => r.connections === connections && r.round === round && r.label.startsWith("(b)"))!.result;
      ratios.push(rateOf(b) / rateOf(a));
      p99s.push(b.latency.p99);
      slowest = Math.max(slowest, b.latency.max);
    }
    const l = lags[connections]!;
    console.log(
      `${connections} connections: ratio b/a = ${median(ratios).toFixed(2)} median of ${ratios.map((r) => r.toFixed(2)).join(", ")} (goal ≥ ${GOAL_RATIO})` +
        (connections === 10 ? `; webhook p99 = ${median(p99s)} ms median (goal < ${GOAL_P99_MS} ms)` : "") +
        `; slowest webhook answer ${slowest} ms (goal ≤ 2000 ms)`,
    );
    if (connections === 10) {
      reportGoal(atLeast(`webhook route: rate vs a trivial route, ${connections} connections (${WORKERS})`, median(ratios), GOAL_RATIO, "", 2));
      reportGoal(atMost(`webhook route: p99, ${connections} connections (${WORKERS})`, median(p99s), GOAL_P99_MS, " ms"));
    }
    reportGoal(atMost(`webhook route: slowest answer, ${connections} connections (${WORKERS})`, slowest, 2000, " ms"));
    reportGoal(atMost(`burst of ${REQUESTS} gifts, ${connections} connections: Stripe reads per gift`, median(l.map((x) => x.readsPerGift)), 1, "", 2));
    reportGoal({
      name: `burst of ${REQUESTS} gifts, ${connections} connections: last in the ledger after the last 2xx`,
      goal: "(measured)",
      measured: `${median(l.map((x) => x.drainedAfterMs))} ms, ${l.map((x) => x.recorded).join("/")} of ${REQUESTS} recorded`,
      met: l.every((x) => x.recorded === REQUESTS),
      margin: l.every((x) => x.recorded === REQUESTS) ? "every gift recorded" : "gifts missing",
    });
    console.log(
      `   gift in the ledger after its 2xx (median of rounds): p50 ${median(l.map((x) => x.p50)).toFixed(0)} ms, p99 ${median(l.map((x) => x.p99)).toFixed(0)} ms; ` +
        `${l.map((x) => x.recorded).join("/")} of ${REQUESTS} gifts recorded per round, the last ${median(l.map((x) => x.drainedAfterMs))} ms after the last 2xx; ` +
        `Stripe reads per gift ${median(l.map((x) => x.readsPerGift)).toFixed(2)} (goal ≤ 1)`,
    );
  }
  console.log(
    `At ${SLOW_RATE} webhooks/s (no backlog): gift in the ledger after its 2xx: p50 ${percentile(slowLags, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(slowLags, 99).toFixed(0)} ms, max ${(slowLags.at(-1) ?? NaN).toFixed(0)} ms (${slowLags.length} gifts)`,
  );
} finally {
  if (worker) await stopProcess(worker.child);
  await stopProcess(app.child);
  await stopProcess(sandbox.child);
  await scratch.drop();
}
