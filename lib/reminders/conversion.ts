import { and, eq, gte, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
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
 * visitor or address made before the gift and still scheduled becomes `gave` with its address
 * erased, so a reader who has given is not reminded; one already sent before the gift counts as
 * converted. Idempotent, and the same whatever order gifts are recorded in (the earliest claim wins).
 */
export async function recordReminderOutcome(tx: Transaction, outcome: ReminderOutcome): Promise<void> {
  const { checkoutSessionId, at } = outcome;
  // Metadata is checked where it is read, but a malformed id reaching a uuid column would abort the
  // whole gift's transaction: ids we cannot use are ignored instead.
  const reminderId = outcome.reminderId !== null && isUuid(outcome.reminderId) ? outcome.reminderId.toLowerCase() : null;
  const visitorId = outcome.visitorId !== null && VISITOR_ID.test(outcome.visitorId) ? outcome.visitorId : null;
  const email = outcome.email?.trim().toLowerCase() || null;

  // Several gifts can claim one reminder: the earliest wins, a gift through the reminder's own
  // link over one that only shares its visitor or address, so the ledger ends the same in any order.
  const laterThanThis = sql`(${reminders.gaveAt}, ${reminders.gaveCheckoutSessionId}) > (${at.toISOString()}::timestamptz, ${checkoutSessionId}::text)`;
  if (reminderId !== null) {
    await tx
      .update(reminders)
      .set({
        gaveAt: at,
        gaveCheckoutSessionId: checkoutSessionId,
        gaveViaLink: true,
        status: sql`case when ${reminders.status} = 'scheduled' then 'gave'::reminder_status else ${reminders.status} end`,
        email: null,
      })
      .where(
        and(
          eq(reminders.id, reminderId),
          inArray(reminders.status, ["scheduled", "sent", "gave"]),
          or(isNull(reminders.gaveAt), eq(reminders.gaveViaLink, false), laterThanThis),
        ),
      );
  }

  const sameReader: SQL[] = [];
  if (visitorId !== null) sameReader.push(eq(reminders.visitorId, visitorId));
  // Stored lower-cased (the schema): an equality the email index serves, in every gift's transaction.
  if (email !== null) sameReader.push(eq(reminders.email, email));
  if (sameReader.length === 0) return;
  // Still waiting: never sent now. Already sent, and the reader gave after it reached them:
  // reminded → gave, though not through its link.
  await tx
    .update(reminders)
    .set({
      status: sql`case when ${reminders.status} = 'sent' then 'sent'::reminder_status else 'gave'::reminder_status end`,
      gaveAt: at,
      gaveCheckoutSessionId: checkoutSessionId,
      email: null,
    })
    .where(
      and(
        or(...sameReader),
        eq(reminders.gaveViaLink, false),
        // A reminder closed by the due run knows when, not which session: the gift fills it in.
        or(isNull(reminders.gaveAt), laterThanThis, and(isNull(reminders.gaveCheckoutSessionId), gte(reminders.gaveAt, at))),
        or(
          // A gift replayed from long ago must not overtake a reminder asked for since.
          and(inArray(reminders.status, ["scheduled", "gave"]), lte(reminders.createdAt, at)),
          and(eq(reminders.status, "sent"), lte(reminders.sentAt, at)),
        ),
      ),
    );
}
