import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { databaseKind } from "@/db";
import { migrateDatabase } from "@/db/migrate";
import { type Env, EnvError, env } from "@/lib/env";
import { describeError, log } from "@/lib/log";
import { startEmailSender, stopEmailSender, wakeEmailSender } from "@/lib/email/sender";
import { startScheduledWork, stopScheduledWork, wakeScheduledWork } from "@/lib/scheduled/run";
import { securityHeaderRules } from "@/lib/security/headers";
import { startWebhookWorker, stopWebhookWorker, wakeWebhookWorker } from "@/lib/stripe/webhooks/worker";
import { workElsewhere } from "@/lib/workers/loop";
import { coalescedNotifier, listenForWork, notifyWorkers } from "@/lib/workers/notify";

/**
 * Start-up for one app process: a bad environment or a database we cannot migrate stops the
 * process with one clear message, before it serves anything.
 */
export async function startServerProcess(): Promise<void> {
  try {
    const config = env();
    const stale = staleBuildProblem(config);
    if (stale) {
      console.error(stale);
      process.exit(1);
    }
    await migrateDatabase();
    if (config.workers === "separate") workElsewhere(coalescedNotifier(notifyWorkers));
    else startWorkers(config);
    log.info("readerfund started", { database: databaseKind(), workers: config.workers, ...startupSummary(config) });
  } catch (error) {
    if (error instanceof EnvError) console.error(error.message);
    else console.error(`Readerfund could not start: ${describeError(error)}`);
    process.exit(1);
  }
}

function startWorkers(config: Env): void {
  startWebhookWorker(config.webhookWorkerPollMs);
  startEmailSender(config.webhookWorkerPollMs);
  startScheduledWork();
}

/**
 * `npm run worker`: a process that applies webhook events, sends email and runs the scheduled work,
 * for web processes started with WORKERS=separate, so that a burst of applying never slows the
 * answers to Stripe. Woken by the web processes' notifications, and polling as they would. Any
 * number may run: each piece of work is claimed in the database. Resolves with a function that
 * stops it, waiting for the passes under way.
 */
export async function startWorkerProcess(): Promise<() => Promise<void>> {
  const config = env();
  if (config.database.kind !== "postgres") {
    throw new EnvError(["DATABASE_URL: the worker needs a PostgreSQL server: the embedded database lives inside the web process, which applies its own webhooks"]);
  }
  await migrateDatabase();
  const wakes: Record<string, () => Promise<void>> = {
    "stripe-webhooks": wakeWebhookWorker,
    emails: wakeEmailSender,
    scheduled: wakeScheduledWork,
  };
  const listening = await listenForWork(
    (name) => void wakes[name]?.(),
    // Whatever was notified while the connection was down is looked for now.
    () => {
      void wakeWebhookWorker();
      void wakeEmailSender();
    },
  );
  startWorkers(config);
  log.info("readerfund worker started", { database: databaseKind(), pollMs: config.webhookWorkerPollMs, ...startupSummary(config) });

  return async () => {
    await listening.unlisten().catch(() => {});
    await Promise.all([stopWebhookWorker(), stopEmailSender(), stopScheduledWork()]);
  };
}

/** What the start-up line says about where things go: enough for an operator, no secrets. */
export function startupSummary(config: Env): Record<string, string | boolean> {
  const smtp = config.email.smtpUrl ? new URL(config.email.smtpUrl) : null;

  return {
    production: config.production,
    stripe: config.stripe.usingSandbox ? `stand-in at ${config.stripe.apiBase}` : config.stripe.apiBase ? `at ${config.stripe.apiBase}` : "api.stripe.com",
    appUrl: config.appUrl,
    // Named "delivery", not "email": the logger redacts fields named like emails.
    delivery: smtp ? `smtp via ${smtp.host}` : `local mailbox at ${config.appUrl}/mailbox`,
  };
}

/**
 * Next serves the response headers that `next build` recorded, not those this environment would
 * make: a build made for an http APP_URL has no Strict-Transport-Security. A production server whose
 * build disagrees with its environment says so and stops, rather than serve weaker headers.
 */
export function staleBuildProblem(config: Env, buildDir = path.join(process.cwd(), ".next")): string | null {
  const manifestPath = path.join(buildDir, "routes-manifest.json");
  if (config.nodeEnv !== "production" || !existsSync(manifestPath)) return null;
  const built = (JSON.parse(readFileSync(manifestPath, "utf8")) as { headers?: Array<{ source: string; headers: unknown }> }).headers ?? [];
  const expected = securityHeaderRules({ development: false, appUrl: config.appUrl });
  const recorded = (rule: (typeof expected)[number]) =>
    built.some((b) => b.source === rule.source && JSON.stringify(b.headers) === JSON.stringify(rule.headers));
  if (expected.every(recorded)) return null;

  return "Readerfund could not start: the production build carries the response headers of another environment (APP_URL or APP_ENV differ from when it was built). Run `npm run build` again with this environment.";
}
