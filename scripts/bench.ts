import { spawn } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { GOAL_PREFIX, type GoalResult } from "./lib/goals";
import { ROOT } from "./lib/processes";

/**
 * `npm run bench`: every benchmark of the project, one after the other (never two at once on these
 * two cores), each printing its own figures as it goes, then one table of every goal beside its
 * measure from this run: met or missed, and by how much. The finance page is measured on the seeded
 * databases named by BENCH_FINANCE_1M_URL and BENCH_FINANCE_10M_URL (by default readerfund_bench_1m and
 * readerfund_bench_10m on the local server; `npm run seed` makes them) where they exist.
 */
const SERVER = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const databaseNamed = (name: string) => {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;

  return url.toString();
};
const FINANCE = [
  { scale: "1M", url: process.env.BENCH_FINANCE_1M_URL ?? databaseNamed("readerfund_bench_1m"), payments: 1_000_000 },
  { scale: "10M", url: process.env.BENCH_FINANCE_10M_URL ?? databaseNamed("readerfund_bench_10m"), payments: 10_000_000 },
];
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

type Step = { name: string; script: string; args?: string[]; env?: Record<string, string> };

/** Runs one benchmark, passing its output through, and returns the goals it reported. */
function runStep(step: Step): Promise<{ code: number; goals: GoalResult[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSX, path.join("scripts", step.script), ...(step.args ?? [])], {
      cwd: ROOT,
      env: { ...process.env, ...step.env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const goals: GoalResult[] = [];
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith(GOAL_PREFIX)) goals.push(JSON.parse(line.slice(GOAL_PREFIX.length)) as GoalResult);
        else process.stdout.write(`${line}\n`);
      }
    });
    child.on("close", (code) => resolve({ code: code ?? 1, goals }));
  });
}

/**
 * Whether a seeded database answers with about as many payments as its scale: null if so, or why
 * not. Only a missing database or table means "not seeded"; any other error is shown as it is.
 */
async function notSeeded(url: string, payments: number): Promise<string | null> {
  const where = url.replace(/\/\/[^@]*@/, "//");
  const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [row] = await client<Array<{ n: string }>>`select count(*) as n from (select 1 from payments limit ${payments}) as sample`;
    const found = Number(row?.n ?? 0);

    return found >= payments * 0.9 ? null : `${where} has ${found} payments`;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 3D000: no such database; 42P01: no such table.
    if (code === "3D000" || code === "42P01") return `no seeded database at ${where}`;

    return `${where} could not be read: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.end({ timeout: 1 });
  }
}

const steps: Step[] = [
  { name: "widget", script: "bench-widget.ts" },
  { name: "checkout", script: "bench-checkout.ts" },
  { name: "webhook (in-process workers)", script: "bench-webhook.ts" },
  { name: "webhook (worker process)", script: "bench-webhook.ts", env: { BENCH_WORKERS: "separate" } },
  { name: "mixed load on two instances", script: "bench-mixed.ts" },
];
const notRun: string[] = [];
for (const finance of FINANCE) {
  const why = await notSeeded(finance.url, finance.payments);
  if (why === null) steps.push({ name: `finance ${finance.scale}`, script: "bench-finance.ts", args: ["--database-url", finance.url, "--runs", "3"] });
  else notRun.push(`finance page at ${finance.scale}: ${why} (npm run seed -- --payments ${finance.payments} --database-url …)`);
}

const started = Date.now();
const results: GoalResult[] = [];
const failed: string[] = [];
for (const step of steps) {
  console.log(`\n━━ ${step.name} ${"━".repeat(Math.max(0, 90 - step.name.length))}`);
  const { code, goals } = await runStep(step);
  results.push(...goals);
  if (code !== 0) failed.push(`${step.name} (exit ${code})`);
}

const width = Math.max(...results.map((r) => r.name.length), 20);
console.log(`\n━━ Every goal, this run (${((Date.now() - started) / 60_000).toFixed(1)} min) ${"━".repeat(60)}`);
console.log(`${"measure".padEnd(width)}  ${"goal".padEnd(30)}  ${"measured".padEnd(34)}  result`);
for (const r of results) console.log(`${r.name.padEnd(width)}  ${r.goal.padEnd(30)}  ${r.measured.padEnd(34)}  ${r.met ? "met" : "MISSED"}, ${r.margin}`);
for (const line of notRun) console.log(`not run: ${line}`);
for (const step of failed) console.log(`failed: ${step}`);
process.exit(failed.length > 0 ? 1 : 0);
