import { databaseKind } from "@/db";
import { migrateDatabase } from "@/db/migrate";
import { EnvError, env } from "@/lib/env";
import { describeError, log } from "@/lib/log";
import { startEmailSender } from "@/lib/email/sender";
import { startScheduledWork } from "@/lib/scheduled/run";
import { startWebhookWorker } from "@/lib/stripe/webhooks/worker";

/**
 * Start-up for one app process: a bad environment or a database we cannot migrate stops the
 * process with one clear message, before it serves anything.
 */
export async function startServerProcess(): Promise<void> {
  try {
    const config = env();
    await migrateDatabase();
    startWebhookWorker(config.webhookWorkerPollMs);
    startEmailSender(config.webhookWorkerPollMs);
    startScheduledWork();
    log.info("readerfund started", {
      database: databaseKind(),
      stripe: config.stripe.usingSandbox ? `stand-in at ${config.stripe.apiBase}` : config.stripe.apiBase ? `at ${config.stripe.apiBase}` : "api.stripe.com",
      appUrl: config.appUrl,
      email: config.email.smtpUrl ? "smtp" : `local mailbox at ${config.appUrl}/mailbox`,
    });
  } catch (error) {
    if (error instanceof EnvError) console.error(error.message);
    else console.error(`Readerfund could not start: ${describeError(error)}`);
    process.exit(1);
  }
}
