import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { reminders } from "@/db/schema";
import { withdrawAddressEmail } from "@/lib/email/outbox";
import { isLocale, type Locale } from "@/lib/i18n/locales";
import { env } from "@/lib/env";
import { mediaTypeOf, readBodyText } from "@/lib/http";
import { log } from "@/lib/log";
import { reminderEmailKey } from "./due";
import { invalidReminderLinkResponse } from "./invalid-link";
import { REMINDER_CANCEL_PURPOSE, reminderIdFromToken } from "./links";

/**
 * What the cancel page shows: `active` (it can still be cancelled), `cancelled`, or `over` (it fell
 * due without an email, or the reader gave, before or after it was sent: nothing is left to send,
 * and a reminder that led to a gift stays on the record as one).
 */
export type ReminderCancelState = "active" | "cancelled" | "over";

export type ReminderForCancel = { reminderId: string; locale: Locale; state: ReminderCancelState };

const localeOf = (locale: string): Locale => (isLocale(locale) ? locale : "en");

function stateOf({ status, gaveAt }: { status: (typeof reminders.$inferSelect)["status"]; gaveAt: Date | null }): ReminderCancelState {
  if (status === "cancelled") return "cancelled";

  return (status === "scheduled" || status === "sent") && gaveAt === null ? "active" : "over";
}

const columns = { id: reminders.id, locale: reminders.locale, status: reminders.status, gaveAt: reminders.gaveAt };

/** The reminder a cancel link names, for its page; null for a token altered or not ours, or a reminder that does not exist. */
export async function readReminderForCancel(token: string | null | undefined): Promise<ReminderForCancel | null> {
  const reminderId = reminderIdFromToken(REMINDER_CANCEL_PURPOSE, token);
  if (reminderId === null) return null;
  const [reminder] = await getDb().select(columns).from(reminders).where(eq(reminders.id, reminderId));
  if (!reminder) return null;

  return { reminderId: reminder.id, locale: localeOf(reminder.locale), state: stateOf(reminder) };
}

/**
 * Cancels the reminder a cancel link names: status `cancelled`, the address erased, and its email
 * withdrawn if it has not gone yet. A sent reminder can be cancelled too (its link then no longer
 * reopens the picker), unless the reader has given since. Idempotent: cancelling again changes
 * nothing. Null, with nothing changed, for a token altered or not ours, or a reminder that does not
 * exist.
 */
export async function cancelReminder(token: string | null | undefined): Promise<ReminderForCancel | null> {
  const reminderId = reminderIdFromToken(REMINDER_CANCEL_PURPOSE, token);
  if (reminderId === null) return null;

  return getDb().transaction(async (tx) => {
    const [reminder] = await tx.select(columns).from(reminders).where(eq(reminders.id, reminderId)).for("update");
    if (!reminder) return null;
    const locale = localeOf(reminder.locale);
    const state = stateOf(reminder);
    if (state !== "active") return { reminderId, locale, state };

    await tx.update(reminders).set({ status: "cancelled", cancelledAt: sql`now()`, email: null }).where(eq(reminders.id, reminderId));
    const withdrawn = await withdrawAddressEmail(tx, reminderEmailKey(reminderId));
    log.info("reminder cancelled", { reminderId, was: reminder.status, outboxWithdrawn: withdrawn });

    return { reminderId, locale, state: "cancelled" };
  });
}

const MAX_CANCEL_BODY_BYTES = 4096;

const plain = (status: number, text: string) => new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });

/** The cancel page for a token, where the form and every answer to it lead. */
export const cancelPageUrl = (token: string) => `${env().appUrl}/reminders/cancel?token=${encodeURIComponent(token)}`;

/**
 * POST /api/reminders/cancel: the cancel page's form (`token` in the body; answered with a 303 back
 * to the page, which then says it is cancelled), or a mail client's RFC 8058 one-click unsubscribe
 * (`List-Unsubscribe=One-Click` in the body, the token in the URL; answered 200). A token altered or
 * not ours is a 400 (the plain invalid-link page) with nothing changed.
 */
export async function cancelReminderRequest(request: Request): Promise<Response> {
  const contentType = request.headers.get("content-type") ?? "";
  const mediaType = mediaTypeOf(request);
  if (mediaType !== "application/x-www-form-urlencoded" && mediaType !== "multipart/form-data") {
    return plain(415, "Send the form as application/x-www-form-urlencoded or multipart/form-data.");
  }
  const text = await readBodyText(request, MAX_CANCEL_BODY_BYTES);
  if (text === null) return plain(413, "The request is too large.");
  let form: URLSearchParams | FormData;
  try {
    form = mediaType === "multipart/form-data" ? await new Response(text, { headers: { "content-type": contentType } }).formData() : new URLSearchParams(text);
  } catch {
    return plain(400, "The form could not be read.");
  }
  const fromForm = form.get("token");
  const token = typeof fromForm === "string" && fromForm !== "" ? fromForm : new URL(request.url).searchParams.get("token");
  const oneClick = form.get("List-Unsubscribe") === "One-Click";

  let cancelled: ReminderForCancel | null;
  try {
    cancelled = await cancelReminder(token);
  } catch (error) {
    log.error("reminder not cancelled", { error });

    return plain(500, "Something went wrong on our side; the reminder was not cancelled. Please try again.");
  }
  if (cancelled === null) return invalidReminderLinkResponse(400);
  if (oneClick) return plain(200, "Unsubscribed: this reminder is cancelled, and we will not email you about it.");

  return new Response(null, { status: 303, headers: { location: cancelPageUrl(token!) } });
}

/**
 * GET /api/reminders/cancel: a mail client without one-click support opens the List-Unsubscribe
 * address in a browser. A GET never cancels (link scanners fetch every address in an email): it
 * leads to the page, where a person presses the button.
 */
export function cancelLinkRedirect(request: Request): Response {
  const token = new URL(request.url).searchParams.get("token") ?? "";

  return new Response(null, { status: 303, headers: { location: cancelPageUrl(token) } });
}
