import { and, eq, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Transaction } from "@/db";
import { reminders } from "@/db/schema";
import { isUuid } from "./links";
import { VISITOR_ID } from "./schema";

export type ReminderOutcome = {
  /** The reminder whose link brought the reader back (Stripe metadata `reminder_id`), if any. */
  reminderId: string | null;
  /** The widget's anonymous visitor id (metadata `visitor_id`), if any. */
  visitorId: string | null;
  /** The giver's address, if Stripe has one. */
  email: string | null;
  checkoutSessionId: string;
  /** When the reader gave. */
  at: Date;
};

/**
 * Called in the transaction that records a new gift (one-time or recurring). The reminder that
 * brought the reader back is marked converted (gave_at and the Checkout Session; `gave` if it had
 * not been sent yet, `sent` stays `sent`: reminded, then gave). Every other reminder of the same
 * visitor or address, made before the gift and still scheduled, becomes `gave` with its address
 * erased, so a reader who has given is not reminded. Idempotent: a gift recorded again (a
 * redelivered webhook) changes nothing more, since only reminders not yet marked are touched.
 */
export async function recordReminderOutcome(tx: Transaction, outcome: ReminderOutcome): Promise<void> {
  const { checkoutSessionId, at } = outcome;
  // Metadata is checked where it is read, but a malformed id reaching a uuid column would abort the
  // whole gift's transaction: ids we cannot use are ignored instead.
  const reminderId = outcome.reminderId !== null && isUuid(outcome.reminderId) ? outcome.reminderId.toLowerCase() : null;
  const visitorId = outcome.visitorId !== null && VISITOR_ID.test(outcome.visitorId) ? outcome.visitorId : null;
  const email = outcome.email?.trim().toLowerCase() || null;

  if (reminderId !== null) {
    await tx
      .update(reminders)
      .set({
        gaveAt: at,
        gaveCheckoutSessionId: checkoutSessionId,
        status: sql`case when ${reminders.status} = 'scheduled' then 'gave'::reminder_status else ${reminders.status} end`,
        email: null,
      })
      .where(and(eq(reminders.id, reminderId), inArray(reminders.status, ["scheduled", "sent"]), isNull(reminders.gaveAt)));
  }

  const sameReader: SQL[] = [];
  if (visitorId !== null) sameReader.push(eq(reminders.visitorId, visitorId));
  if (email !== null) sameReader.push(sql`lower(${reminders.email}) = ${email}`);
  if (sameReader.length === 0) return;
  await tx
    .update(reminders)
    .set({ status: "gave", gaveAt: at, gaveCheckoutSessionId: checkoutSessionId, email: null })
    .where(
      and(
        eq(reminders.status, "scheduled"),
        or(...sameReader),
        // A gift replayed from long ago must not overtake a reminder asked for since.
        lte(reminders.createdAt, at),
      ),
    );
}
