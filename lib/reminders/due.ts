import { and, asc, eq, gte, lte, min, notInArray } from "drizzle-orm";
import { getDb, type Transaction } from "@/db";
import { gifts, recurringGifts, reminders, supporters } from "@/db/schema";
import { enqueueAddressEmail } from "@/lib/email/outbox";
import { log } from "@/lib/log";
import { reminderLinks } from "./links";

type Reminder = typeof reminders.$inferSelect;
type Outcome = "sent" | "hidden" | "gave";

export type DueRemindersResult = { sent: number; hidden: number; gave: number; failed: number };

/** The outbox key of a reminder's email: one email per reminder, however often this runs. */
export const reminderEmailKey = (reminderId: string) => `reminder:${reminderId}`;

/**
 * Settles every scheduled reminder whose date has come (due_at <= now), each in a transaction of
 * its own: email-less ones become `hidden`; one whose reader has given since it was made becomes
 * `gave` and is never sent; the rest queue their email and become `sent`, and the address is erased
 * (the outbox holds the one copy still needed, until it is sent).
 *
 * Each is claimed under FOR UPDATE SKIP LOCKED, so instances running this at once never settle the
 * same reminder twice and never wait for each other. A reminder that fails is logged and left
 * scheduled for the next run, without holding back the rest of this one.
 */
export async function settleDueReminders(now: Date = new Date()): Promise<DueRemindersResult> {
  const result: DueRemindersResult = { sent: 0, hidden: 0, gave: 0, failed: 0 };
  const failedIds: string[] = [];
  for (;;) {
    const claim: { id: string | null } = { id: null };
    let outcome: Outcome | null;
    try {
      outcome = await getDb().transaction(async (tx) => {
        const [reminder] = await tx
          .select()
          .from(reminders)
          .where(and(eq(reminders.status, "scheduled"), lte(reminders.dueAt, now), failedIds.length > 0 ? notInArray(reminders.id, failedIds) : undefined))
          .orderBy(asc(reminders.dueAt))
          .limit(1)
          .for("update", { skipLocked: true });
        if (!reminder) return null;
        claim.id = reminder.id;

        return settle(tx, reminder, now);
      });
    } catch (error) {
      if (claim.id === null) throw error;
      log.error("due reminder not settled; it stays scheduled for the next run", { reminderId: claim.id, error });
      failedIds.push(claim.id);
      result.failed++;
      continue;
    }
    if (outcome === null) return result;
    result[outcome]++;
  }
}

async function settle(tx: Transaction, reminder: Reminder, now: Date): Promise<Outcome> {
  const stillScheduled = and(eq(reminders.id, reminder.id), eq(reminders.status, "scheduled"));
  if (reminder.email === null) {
    await tx.update(reminders).set({ status: "hidden" }).where(stillScheduled);

    return "hidden";
  }
  const gaveAt = await firstGiftSince(tx, reminder.email, reminder.createdAt);
  if (gaveAt !== null) {
    await tx.update(reminders).set({ status: "gave", gaveAt, email: null }).where(stillScheduled);

    return "gave";
  }
  const { reopenUrl, cancelUrl, oneClickUnsubscribeUrl } = reminderLinks(reminder.id, reminder.locale);
  await enqueueAddressEmail(tx, {
    to: reminder.email,
    locale: reminder.locale,
    template: "reminder",
    idempotencyKey: reminderEmailKey(reminder.id),
    props: {
      reopenUrl,
      cancelUrl,
      unsubscribeUrl: cancelUrl,
      amountMinor: reminder.amountMinor,
      currency: reminder.currency,
      frequency: reminder.frequency,
    },
    oneClickUnsubscribeUrl,
  });
  await tx.update(reminders).set({ status: "sent", sentAt: now, email: null }).where(stillScheduled);

  return "sent";
}

/**
 * When the supporter with this address first gave (once, or by starting a recurring gift) at or
 * after `since`, or null. Supporters' addresses are lower-cased, as reminders' are.
 */
async function firstGiftSince(tx: Transaction, email: string, since: Date): Promise<Date | null> {
  const address = email.trim().toLowerCase();
  const [once] = await tx
    .select({ at: min(gifts.givenAt) })
    .from(gifts)
    .innerJoin(supporters, eq(supporters.id, gifts.supporterId))
    .where(and(eq(supporters.email, address), gte(gifts.givenAt, since)));
  const [recurring] = await tx
    .select({ at: min(recurringGifts.startedAt) })
    .from(recurringGifts)
    .innerJoin(supporters, eq(supporters.id, recurringGifts.supporterId))
    .where(and(eq(supporters.email, address), gte(recurringGifts.startedAt, since)));
  const times = [once?.at, recurring?.at].filter((at): at is Date => at instanceof Date);

  return times.length > 0 ? new Date(Math.min(...times.map((at) => at.getTime()))) : null;
}
