import { deleteExpiredAbuseRows } from "@/lib/abuse/cleanup";
import { deleteExpiredSignIns } from "@/lib/auth/cleanup";
import { emailSenderRunning, sendDueEmails, wakeEmailSender } from "@/lib/email/sender";
import { type DueRemindersResult, settleDueReminders } from "@/lib/reminders/due";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { workerLoop } from "@/lib/workers/loop";
import { queueYearlyStatements } from "./yearly-statements";

/**
 * Work that falls due by the calendar rather than by an event. Each piece is idempotent (keyed in
 * the outbox, or claimed row by row), so it is safe to run as often as anyone likes, from the
 * in-process loop of every instance and from a platform's cron (POST /api/cron) alike. Expired
 * rate-limit counters go too (they hold hashes of addresses, kept no longer than a day), and
 * expired sessions and sign-in links (they say who signed in when).
 */
export async function runScheduledWork(now = new Date()): Promise<{
  statementsFor: number | null;
  supporters: number;
  reminders: DueRemindersResult;
  expiredLimits: { rateLimits: number; spentChallenges: number };
  expiredSignIns: { sessions: number; signInLinks: number };
}> {
  const reminders = await settleDueReminders(now);
  const expiredLimits = await deleteExpiredAbuseRows(undefined, now);
  const expiredSignIns = await deleteExpiredSignIns(undefined, now);
  if (now.getUTCMonth() !== 0) return { statementsFor: null, supporters: 0, reminders, expiredLimits, expiredSignIns };
  // All of January: an instance that was down on the first still sends last year's statements.
  const year = now.getUTCFullYear() - 1;

  return { statementsFor: year, supporters: await queueYearlyStatements(year), reminders, expiredLimits, expiredSignIns };
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
  const { reminders } = await runScheduledWork();
  // Reminders just queued go now, not at the sender's next poll (which may be never: polling off).
  if (reminders.sent > 0 && emailSenderRunning()) void wakeEmailSender();
});
export const startScheduledWork = () => loop.start(60 * 60 * 1000);
export const stopScheduledWork = loop.stop;
export const wakeScheduledWork = loop.wake;
