import { getDb } from "@/db";
import { enqueueSupporterEmail } from "@/lib/email/outbox";
import { statementEmailProps, statementsForYear } from "@/lib/supporters/statement";

/**
 * Queues each supporter's giving statement for `year`: every payment they made that year with what
 * was given back since (refunds, lost disputes), and totals per currency net of those, never summed
 * across currencies. The figures are lib/supporters/statement.ts's, the same as the account's PDF.
 * Keyed by supporter and year, so running this any number of times, from any number of instances,
 * queues one statement each. A supporter who turned statements off gets theirs written as
 * `suppressed` by the outbox (lib/email/outbox.ts), never sent.
 */
export async function queueYearlyStatements(year: number): Promise<number> {
  // Returns how many supporters gave that year (each has, or already had, a statement queued).
  const db = getDb();
  let queued = 0;
  for (const [supporterId, statement] of await statementsForYear(year, db)) {
    await db.transaction(async (tx) => {
      await enqueueSupporterEmail(tx, supporterId, {
        idempotencyKey: `statement:${supporterId}:${year}`,
        template: "yearly_statement",
        props: ({ name }) => statementEmailProps(statement, name),
      });
      queued++;
    });
  }

  return queued;
}
