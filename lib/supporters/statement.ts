import { and, eq } from "drizzle-orm";
import { getDb, type Queryable } from "@/db";
import { inYear, ofSupporter, paymentHistory, type PaymentHistoryLine, withSupporter } from "@/db/queries/account";
import { supporters } from "@/db/schema";
import type { EmailProps } from "@/emails";
import { type Actor, supporterIdOf } from "./actor";

export type StatementTotal = {
  currency: string;
  paidMinor: number;
  refundedMinor: number;
  disputeLostMinor: number;
  /** What was finally given in this currency: paid less refunded less lost in disputes. */
  netMinor: number;
};

/**
 * A supporter's giving in one calendar year (UTC): each payment made that year with what was given
 * back since (refunds, lost disputes), and a total per currency, never summed across currencies nor
 * converted. The yearly email (lib/scheduled/yearly-statements.ts) and the account's PDF are both
 * built from this, so the two show the same figures for the same ledger; a refund recorded after the
 * email went out shows in the PDF fetched later, which is the ledger as it now stands.
 */
export type Statement = { year: number; lines: PaymentHistoryLine[]; totals: StatementTotal[] };

export function buildStatement(year: number, lines: PaymentHistoryLine[]): Statement {
  const totals = new Map<string, StatementTotal>();
  for (const line of lines) {
    const total = totals.get(line.currency) ?? { currency: line.currency, paidMinor: 0, refundedMinor: 0, disputeLostMinor: 0, netMinor: 0 };
    total.paidMinor += line.amountMinor;
    total.refundedMinor += line.refundedMinor;
    total.disputeLostMinor += line.disputeLostMinor;
    total.netMinor += line.netMinor;
    totals.set(line.currency, total);
  }

  return { year, lines, totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)) };
}

/** Every supporter's statement for `year`, by supporter id (those who made a payment that year). */
export async function statementsForYear(year: number, db: Queryable = getDb()): Promise<Map<string, Statement>> {
  const lines = await paymentHistory(db, and(inYear(year), withSupporter()));
  const bySupporter = new Map<string, PaymentHistoryLine[]>();
  for (const line of lines) {
    const list = bySupporter.get(line.supporterId!) ?? [];
    list.push(line);
    bySupporter.set(line.supporterId!, list);
  }

  return new Map([...bySupporter].map(([supporterId, list]) => [supporterId, buildStatement(year, list)]));
}

/**
 * The signed-in supporter's statement for `year`, with the name and language it is written for;
 * null for anyone else (a manage link, nobody, an address that never gave).
 */
export async function statementFor(
  actor: Actor,
  year: number,
  db: Queryable = getDb(),
): Promise<{ statement: Statement; supporter: { name: string | null; locale: string | null } } | null> {
  const supporterId = await supporterIdOf(actor, db);
  if (!supporterId) return null;
  const [supporter] = await db.select({ name: supporters.name, locale: supporters.locale }).from(supporters).where(eq(supporters.id, supporterId));
  if (!supporter) return null;
  const lines = await paymentHistory(db, and(inYear(year), ofSupporter(supporterId)));

  return { statement: buildStatement(year, lines), supporter };
}

/** The yearly email's props: the same lines and totals as the PDF. */
export function statementEmailProps(statement: Statement, supporterName: string | null): EmailProps<"yearly_statement"> {
  return {
    year: statement.year,
    supporterName,
    payments: statement.lines.map((line) => ({
      paidAt: line.paidAt.toISOString(),
      amountMinor: line.amountMinor,
      currency: line.currency,
      frequency: line.frequency,
      ...(line.refundedMinor > 0 ? { refundedMinor: line.refundedMinor } : {}),
      ...(line.disputeLostMinor > 0 ? { disputeLostMinor: line.disputeLostMinor } : {}),
    })),
    totals: statement.totals.map((total) => ({
      currency: total.currency,
      amountMinor: total.netMinor,
      paidMinor: total.paidMinor,
      refundedMinor: total.refundedMinor,
      disputeLostMinor: total.disputeLostMinor,
    })),
  };
}
