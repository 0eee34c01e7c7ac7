import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { reminders } from "@/db/schema";
import { guardCreation } from "@/lib/abuse/guard";
import { AppError } from "@/lib/errors";
import { fieldErrors } from "@/lib/validation";
import { log } from "@/lib/log";
import { REMINDER_DELAYS, type ReminderChoice, type TReminderRequest, ZReminderRequest } from "./schema";

/** The 201's body: `{ reminder: ReminderCreated }`. `email` says whether an email will be sent. */
export type ReminderCreated = { id: string; dueAt: string; email: boolean };

/**
 * "Remind me later", as the widget sends it: checks it (INVALID_INPUT naming each bad field, with
 * nothing written), counts it per address, visitor and email (so no one is sent a stream of
 * reminders they did not ask for; past the soft limit, a proof of work: CHALLENGE_REQUIRED; past the
 * hard one, RATE_LIMITED), and saves it.
 */
export async function createReminder(fields: Record<string, unknown>, context: { clientAddress: string | null }): Promise<ReminderCreated> {
  const parsed = ZReminderRequest.safeParse(fields);
  if (!parsed.success) {
    throw new AppError("INVALID_INPUT", "Some of the reminder's details are not valid.", { fieldErrors: fieldErrors(parsed.error) });
  }
  const reminder = parsed.data;
  const guard = await guardCreation({
    scope: "reminder",
    clientAddress: context.clientAddress,
    visitorId: reminder.visitorId,
    email: reminder.email ?? null,
    challenge: reminder.challenge ?? null,
  });
  if (!guard.ok) throw guard.error;
  const created = await insertReminder(reminder);
  log.info("reminder created", { reminderId: created.id, choice: reminder.choice, delivery: created.email ? "email" : "none" });

  return created;
}

/**
 * The due date comes from the database's clock, in the same statement as `created_at`, so every
 * instance counts a month from the same instant whatever its own clock says.
 */
const dueAtFor = (choice: ReminderChoice) => sql`(now() at time zone 'UTC' + ${REMINDER_DELAYS[choice]}::interval) at time zone 'UTC'`;

async function insertReminder(reminder: TReminderRequest): Promise<ReminderCreated> {
  const [row] = await getDb()
    .insert(reminders)
    .values({
      visitorId: reminder.visitorId,
      email: reminder.email ?? null,
      emailGiven: reminder.email !== undefined,
      choice: reminder.choice,
      locale: reminder.locale,
      dueAt: dueAtFor(reminder.choice),
      frequency: reminder.picker.frequency,
      amountMinor: reminder.picker.amountMinor,
      currency: reminder.picker.currency,
      coverFee: reminder.picker.coverFee,
      articleUrl: reminder.articleUrl ?? null,
      section: reminder.section ?? null,
      campaign: reminder.campaign ?? null,
      variant: reminder.variant ?? null,
    })
    .returning({ id: reminders.id, dueAt: reminders.dueAt, email: reminders.email });

  return { id: row!.id, dueAt: row!.dueAt.toISOString(), email: row!.email !== null };
}
