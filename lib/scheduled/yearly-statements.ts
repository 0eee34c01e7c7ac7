import { and, asc, eq, gte, isNotNull, lt } from "drizzle-orm";
import { getDb } from "@/db";
import { gifts, payments, recurringGifts } from "@/db/schema";
import { enqueueSupporterEmail } from "@/lib/email/outbox";

/**
 * Queues each supporter's giving statement for `year`: every payment they made that year (what was
 * given back by refund is not subtracted here: a statement lists gifts as given), with totals per
 * currency, never summed across currencies. Keyed by supporter and year, so running this any number
 * of times, from any number of instances, queues one statement each.
 */
export async function queueYearlyStatements(year: number): Promise<number> {
  // Returns how many supporters gave that year (each has, or already had, a statement queued).
  const db = getDb();
  const from = new Date(Date.UTC(year, 0, 1));
  const to = new Date(Date.UTC(year + 1, 0, 1));
  const rows = await db
    .select({
      supporterId: payments.supporterId,
      paidAt: payments.paidAt,
      amountMinor: payments.amountMinor,
      currency: payments.currency,
      oneTime: gifts.id,
      recurringFrequency: recurringGifts.frequency,
    })
    .from(payments)
    .leftJoin(gifts, eq(gifts.id, payments.giftId))
    .leftJoin(recurringGifts, eq(recurringGifts.id, payments.recurringGiftId))
    .where(and(isNotNull(payments.supporterId), gte(payments.paidAt, from), lt(payments.paidAt, to)))
    .orderBy(asc(payments.supporterId), asc(payments.paidAt));

  const bySupporter = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = bySupporter.get(row.supporterId!) ?? [];
    list.push(row);
    bySupporter.set(row.supporterId!, list);
  }
  let queued = 0;
  for (const [supporterId, list] of bySupporter) {
    await db.transaction(async (tx) => {
      const totals = new Map<string, number>();
      for (const p of list) totals.set(p.currency, (totals.get(p.currency) ?? 0) + p.amountMinor);
      await enqueueSupporterEmail(tx, supporterId, {
        idempotencyKey: `statement:${supporterId}:${year}`,
        template: "yearly_statement",
        props: ({ name }) => ({
          year,
          supporterName: name,
          payments: list.map((p) => ({
            paidAt: p.paidAt.toISOString(),
            amountMinor: p.amountMinor,
            currency: p.currency,
            frequency: p.oneTime ? ("once" as const) : p.recurringFrequency === "annual" ? ("annual" as const) : ("monthly" as const),
          })),
          totals: [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amountMinor]) => ({ currency, amountMinor })),
        }),
      });
      queued++;
    });
  }

  return queued;
}
