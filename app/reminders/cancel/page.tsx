import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { cache } from "react";
import { env } from "@/lib/env";
import { requestLocaleIfRendering } from "@/lib/i18n/request";
import { withLang } from "@/lib/i18n/with-lang";
import { readReminderForCancel } from "@/lib/reminders/cancel";
import { INVALID_REMINDER_LINK_PATH } from "@/lib/reminders/invalid-link";
import { REMINDER_PAGE_MESSAGES } from "@/lib/reminders/messages";

export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const tokenOf = (params: Record<string, string | string[] | undefined>) => {
  const raw = params.token;

  return (Array.isArray(raw) ? raw[0] : raw) ?? "";
};

// Read once per request: the title and the page both need it.
const readReminder = cache(readReminderForCancel);

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const reminder = await readReminder(tokenOf(await searchParams));

  // The address carries the cancel token: it must not travel on in a Referer.
  return { title: REMINDER_PAGE_MESSAGES[reminder?.locale ?? "en"].title, referrer: "no-referrer" };
}

/**
 * /reminders/cancel?token=…: where a reminder email's cancel and unsubscribe links lead. Opening it
 * changes nothing (mail scanners open every link); the button posts to /api/reminders/cancel, which
 * brings the reader back here to read that it is cancelled. In the reminder's own language. A link
 * it cannot use leads to a plain 404 page (see invalid-link.ts for why not notFound()).
 */
export default async function CancelReminderPage({ searchParams }: Props) {
  const params = await searchParams;
  const token = tokenOf(params);
  const reminder = await readReminder(token);
  if (!reminder) redirect(INVALID_REMINDER_LINK_PATH);
  // The page, frame and all, in the reminder's language: the URL says which (proxy.ts).
  const frame = await requestLocaleIfRendering();
  if (frame !== null && frame !== reminder.locale) redirect(withLang("/reminders/cancel", params, reminder.locale));
  const m = REMINDER_PAGE_MESSAGES[reminder.locale];
  const newsroom = env().newsroomName;

  return (
    <section className="thanks" lang={reminder.locale} aria-labelledby="reminder-heading" data-testid={`reminder-${reminder.state}`}>
      {reminder.state === "active" && (
        <>
          <h1 id="reminder-heading">{m.active.heading}</h1>
          <p>{m.active.body({ newsroom })}</p>
          <p>{m.active.effect}</p>
          <form method="post" action="/api/reminders/cancel">
            <input type="hidden" name="token" value={token} />
            <button type="submit" className="continue">
              {m.active.button}
            </button>
          </form>
        </>
      )}
      {reminder.state === "cancelled" && (
        <>
          <h1 id="reminder-heading">{m.cancelled.heading}</h1>
          <p className="status-ok" role="status">
            {m.cancelled.body}
          </p>
        </>
      )}
      {reminder.state === "over" && (
        <>
          <h1 id="reminder-heading">{m.over.heading}</h1>
          <p>{m.over.body}</p>
        </>
      )}
      <p>
        <a href={reminder.locale === "en" ? "/" : `/?lang=${reminder.locale}`}>{m.backHome({ newsroom })}</a>
      </p>
    </section>
  );
}
