import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { reminders } from "@/db/schema";
import { guardCreation } from "@/lib/abuse/guard";
import { AppError, errorResponse } from "@/lib/errors";
import { fieldErrors } from "@/lib/validation";
import { mediaTypeOf, readBodyText } from "@/lib/http";
import { log } from "@/lib/log";
import { REMINDER_DELAYS, type ReminderChoice, type TReminderRequest, ZReminderRequest } from "./schema";

const MAX_BODY_BYTES = 16_384;

/** The 201's body: `{ reminder: ReminderCreated }`. `email` says whether an email will be sent. */
export type ReminderCreated = { id: string; dueAt: string; email: boolean };

export type ParsedReminderRequest = { ok: true; reminder: TReminderRequest } | { ok: false; error: AppError };

/**
 * POST /api/reminders: the widget's "Remind me later". JSON in; 201 `{ reminder }` out, or a 4xx
 * `{ error }` with nothing written.
 */
export async function createReminder(request: Request): Promise<Response> {
  const parsed = await parseReminderRequest(request);
  if (!parsed.ok) return errorResponse(parsed.error);
  // Counted only once the request is valid, per IP, visitor and address (so no one is sent a
  // stream of reminders they did not ask for); past the soft limit, a proof of work.
  const { reminder } = parsed;
  const guard = await guardCreation(request, { scope: "reminder", visitorId: reminder.visitorId, email: reminder.email ?? null, challenge: reminder.challenge ?? null });
  if (!guard.ok) return guard.response;

  return saveReminder(reminder);
}

/**
 * Reads and checks the request without touching the database: 415 for anything but JSON, 413 past
 * 16 KB (counted as it arrives), 400 for a body that is not a JSON object, 422 naming each bad field.
 */
export async function parseReminderRequest(request: Request): Promise<ParsedReminderRequest> {
  const mediaType = mediaTypeOf(request);
  if (mediaType !== "application/json") {
    return { ok: false, error: new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the reminder as JSON (application/json).") };
  }
  const text = await readBodyText(request, MAX_BODY_BYTES);
  if (text === null) return { ok: false, error: new AppError("PAYLOAD_TOO_LARGE", "The request is too large.") };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: new AppError("BAD_REQUEST", "The request body is not valid JSON.") };
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, error: new AppError("BAD_REQUEST", "The request body must be a JSON object.") };
  }
  const parsed = ZReminderRequest.safeParse(body);
  if (!parsed.success) {
    return { ok: false, error: new AppError("INVALID_INPUT", "Some of the reminder's details are not valid.", { fieldErrors: fieldErrors(parsed.error) }) };
  }

  return { ok: true, reminder: parsed.data };
}

/** Writes a checked reminder and answers 201, or 500 if the database would not take it. */
export async function saveReminder(reminder: TReminderRequest): Promise<Response> {
  try {
    const created = await insertReminder(reminder);
    log.info("reminder created", { reminderId: created.id, choice: reminder.choice, delivery: created.email ? "email" : "none" });

    return Response.json({ reminder: created }, { status: 201 });
  } catch (error) {
    log.error("reminder not saved", { error });

    return errorResponse(new AppError("INTERNAL", "Something went wrong on our side; the reminder was not saved. Please try again."));
  }
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
