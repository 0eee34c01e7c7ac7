import { type ChildProcess, spawn } from "node:child_process";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { workElsewhere } from "@/lib/workers/loop";
import { coalescedNotifier, notifyWorkers } from "@/lib/workers/notify";
import { useTestDatabase } from "../../support/database";
import { giveOnce } from "../../support/gifts";
import { startSmtpServer } from "../../support/smtp";
import { deliver } from "../../support/stripe";
import { sleep, until } from "../../support/wait";

// A worker process is another process on the same database: only a PostgreSQL server can be that.
// The embedded run has no worker to start (the app refuses WORKERS=separate without DATABASE_URL).
const database = useTestDatabase();
const onServer = database.kind === "postgres";

const count = async (query: ReturnType<typeof sql>) => Number(((await getDb().execute(query)) as unknown as Array<{ n: string }>)[0]!.n);
const payments = () => count(sql`select count(*) as n from payments`);
const pendingEvents = () => count(sql`select count(*) as n from stripe_events where status = 'pending'`);

describe.skipIf(!onServer)("webhooks applied by a worker process (WORKERS=separate, npm run worker)", () => {
  let worker: ChildProcess | null = null;
  let output = "";
  afterAll(() => {
    workElsewhere(null);
    worker?.kill("SIGKILL");
  });

  it("leaves the web process answering only, and a worker started later, then woken by notifications alone, applies each event once and sends its receipt", async () => {
    const smtp = await startSmtpServer();
    // This test process plays a web process started with WORKERS=separate, notifying as one does (lib/server-process.ts).
    workElsewhere(coalescedNotifier(notifyWorkers));

    const first = await giveOnce({ amount: 1500, email: "first-reader@example.org" });
    const deferred: Array<() => Promise<void>> = [];
    const answers = await deliver(first.events, deferred);
    expect(answers.map((answer) => answer.status)).toEqual(first.events.map(() => 200));
    // Nothing left to run after the answer either: the work is the workers'.
    expect(deferred).toHaveLength(0);
    await sleep(1000);
    expect(await payments()).toBe(0);
    expect(await pendingEvents()).toBeGreaterThan(0);
    expect(await count(sql`select count(*) as n from stripe_events where status = 'processed'`)).toBe(0);

    // Polling off: after its first pass, only a notification wakes it.
    worker = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        DATABASE_URL: process.env.DATABASE_URL,
        WEBHOOK_WORKER_POLL_MS: "0",
        SMTP_URL: smtp.url(),
        LOG_LEVEL: "info",
        WORKERS: "in-process",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    worker.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.includes("readerfund worker started"), `the worker to start (it said: ${output})`, 60_000);

    // What waited while no worker ran is applied by its first pass.
    await until(async () => (await payments()) === 1 && (await pendingEvents()) === 0, "the first gift in the ledger", 30_000);
    await until(() => smtp.received.some((mail) => mail.to.includes("first-reader@example.org")), "the first receipt", 30_000);

    const second = await giveOnce({ amount: 2700, email: "second-reader@example.org" });
    await deliver(second.events, deferred);
    expect(deferred).toHaveLength(0);
    await until(async () => (await payments()) === 2 && (await pendingEvents()) === 0, "the second gift in the ledger, by notification", 15_000);
    await until(() => smtp.received.some((mail) => mail.to.includes("second-reader@example.org")), "the second receipt", 15_000);

    const rows = (await getDb().execute(sql`select amount_minor from payments order by amount_minor`)) as unknown as Array<{ amount_minor: number }>;
    expect(rows.map((row) => Number(row.amount_minor))).toEqual([1500, 2700]);
    expect(smtp.received.filter((mail) => mail.to.some((to) => /reader@example\.org$/.test(to)))).toHaveLength(2);

    // A stop lets the pass under way finish and exits cleanly.
    const exited = new Promise<number | null>((resolve) => worker!.once("exit", (code) => resolve(code)));
    worker.kill("SIGTERM");
    expect(await exited).toBe(0);
    worker = null;
    await smtp.stop();
  }, 120_000);
});
