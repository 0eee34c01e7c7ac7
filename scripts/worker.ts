import os from "node:os";
import "./lib/allow-server-only";

// Below the web processes in the CPU's queue (nice 10), should they share a machine: answering Stripe
// and readers comes first, and applying can trail by a moment. Set before the work's threads start,
// which inherit it. On a machine of its own this changes nothing.
os.setPriority(10);

// Loaded once allow-server-only has run: a static import would be linked before it.
const { closeDb } = await import("@/db");
const { EnvError } = await import("@/lib/env");
const { describeError, log } = await import("@/lib/log");
const { startWorkerProcess } = await import("@/lib/server-process");

/**
 * `npm run worker`: applies webhook events, sends email and runs the scheduled work for web
 * processes started with WORKERS=separate (see docs/deployment.md). SIGTERM or SIGINT lets the
 * passes under way finish (what they hold is claimed in the database, so a kill loses nothing
 * either: another worker takes it up once the claim's lease runs out).
 */
let stop: (() => Promise<void>) | null = null;
try {
  stop = await startWorkerProcess();
} catch (error) {
  console.error(error instanceof EnvError ? error.message : `The Readerfund worker could not start: ${describeError(error)}`);
  process.exit(1);
}

let stopping = false;
const shutDown = async () => {
  if (stopping) return;
  stopping = true;
  log.info("readerfund worker stopping");
  await stop?.();
  await closeDb();
  process.exit(0);
};
process.on("SIGTERM", () => void shutDown());
process.on("SIGINT", () => void shutDown());
