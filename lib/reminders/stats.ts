import { and, gte, lt, type SQL, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { reminders } from "@/db/schema";

/**
 * What became of the reminders created in [from, to): a cohort, counted as it stands now.
 *
 * Every reminder is in exactly one of `scheduled`, `sent`, `hidden`, `cancelled`, `gaveBeforeDue`
 * (by status), in exactly one choice, and in exactly one of `withEmail`, `withoutEmail` (whether an
 * address was given, kept after the address itself is erased).
 */
export type ReminderStats = {
  from: Date;
  to: Date;
  created: number;
  /** What the reader chose: remind in a month, in three months, or don't show this for a while. */
  byChoice: { month: number; threeMonths: number; hide: number };
  withEmail: number;
  withoutEmail: number;
  /** Waiting for their date. */
  scheduled: number;
  /** The email was queued (including those cancelled after it was). */
  sent: number;
  /** Fell due with no address: the widget was hidden until then, nothing was sent. */
  hidden: number;
  cancelled: number;
  /** The reader gave before it fell due, so it was never sent. */
  gaveBeforeDue: number;
  /** Sent, and the reader then gave through it or while it stood (status sent, gave_at set). */
  convertedAfterReminder: number;
  /** convertedAfterReminder / sent, as the two integers (0 / 0 when nothing was sent). */
  conversionRate: { numerator: number; denominator: number };
};

const count = (condition: SQL) => sql<number>`(count(*) filter (where ${condition}))::int`;

/** The finance view's reminder figures: counts only, every ratio left as two integers. */
export async function reminderStats({ from, to }: { from: Date; to: Date }): Promise<ReminderStats> {
  const [row] = await getDb()
    .select({
      created: sql<number>`count(*)::int`,
      month: count(sql`${reminders.choice} = 'month'`),
      threeMonths: count(sql`${reminders.choice} = 'three_months'`),
      hide: count(sql`${reminders.choice} = 'hide'`),
      withEmail: count(sql`${reminders.emailGiven}`),
      withoutEmail: count(sql`not ${reminders.emailGiven}`),
      scheduled: count(sql`${reminders.status} = 'scheduled'`),
      sent: count(sql`${reminders.sentAt} is not null`),
      hidden: count(sql`${reminders.status} = 'hidden'`),
      cancelled: count(sql`${reminders.status} = 'cancelled'`),
      gaveBeforeDue: count(sql`${reminders.status} = 'gave'`),
      convertedAfterReminder: count(sql`${reminders.status} = 'sent' and ${reminders.gaveAt} is not null`),
    })
    .from(reminders)
    .where(and(gte(reminders.createdAt, from), lt(reminders.createdAt, to)));
  const r = row!;

  return {
    from,
    to,
    created: r.created,
    byChoice: { month: r.month, threeMonths: r.threeMonths, hide: r.hide },
    withEmail: r.withEmail,
    withoutEmail: r.withoutEmail,
    scheduled: r.scheduled,
    sent: r.sent,
    hidden: r.hidden,
    cancelled: r.cancelled,
    gaveBeforeDue: r.gaveBeforeDue,
    convertedAfterReminder: r.convertedAfterReminder,
    conversionRate: { numerator: r.convertedAfterReminder, denominator: r.sent },
  };
}
