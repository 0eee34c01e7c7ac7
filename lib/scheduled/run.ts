import { sendDueEmails } from "@/lib/email/sender";
import { drainStripeEvents } from "@/lib/stripe/webhooks/inbox";
import { workerLoop } from "@/lib/workers/loop";
import { queueYearlyStatements } from "./yearly-statements";

/**
 * Work that falls due by the calendar rather than by an event. Each piece is idempotent (keyed in
 * the outbox), so it is safe to run as often as anyone likes, from the in-process loop of every
 * instance and from a platform's cron (POST /api/cron) alike. Reminders falling due and retention
 * clean-up join this list with their issues.
 */
export async function runScheduledWork(now = new Date()): Promise<{ statementsFor: number | null; supporters: number }> {
  if (now.getUTCMonth() !== 0) return { statementsFor: null, supporters: 0 };
  // All of January: an instance that was down on the first still sends last year's statements.
  const year = now.getUTCFullYear() - 1;

  return { statementsFor: year, supporters: await queueYearlyStatements(year) };
}

/** Everything a cron call does: scheduled work, then any webhook events and emails that are due. */
export async function runDueWork(now = new Date()) {
  const scheduled = await runScheduledWork(now);
  const webhooks = await drainStripeEvents();
  const emails = await sendDueEmails();

  return { scheduled, webhooks, emails };
}

// In-process for local runs and long-lived servers: hourly is plenty for work that is due by the day.
const loop = workerLoop("scheduled", async () => {
  await runScheduledWork();
});
export const startScheduledWork = () => loop.start(60 * 60 * 1000);
export const stopScheduledWork = loop.stop;
