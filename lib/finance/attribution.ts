import { type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import type { Actor } from "@/lib/supporters/actor";
import { requireStaff } from "@/lib/staff/staff";
import { reportingMode } from "./figures";
import { addMonths, isoDay, type Period, splitByMonths } from "./period";
import { num, select } from "./select";

export const DIMENSIONS = ["article", "section", "campaign", "variant"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const COLUMN: Record<Dimension, SQL> = {
  article: sql.raw("article_url"),
  section: sql.raw("section"),
  campaign: sql.raw("campaign"),
  // A variant means something only within its campaign.
  variant: sql.raw("campaign || ' / ' || variant"),
};

export type AttributionRow = {
  key: string;
  currency: string;
  grossMinor: number;
  payments: number;
  /** One-time gifts and recurring gifts started. */
  gifts: number;
  recurringStarted: number;
  /** Of the recurring gifts started in the period at least twelve months ago, the share still giving a year on; null if none is that old. */
  retention12m: number | null;
  matureStarted: number;
  refunds: number;
  refundRate: number | null;
  disputes: number;
  disputeRate: number | null;
};

/** The rollups' rows of a period: whole months from the monthly ones, the edge days from the daily ones. */
export function inPeriod(period: Period): SQL {
  const split = splitByMonths(period);
  const parts: SQL[] = split.days.map((range) => sql`(grain = 'day' and period between ${range.from}::date and ${range.to}::date)`);
  if (split.months) parts.push(sql`(grain = 'month' and period between ${split.months.from}::date and ${split.months.to}::date)`);

  return sql`(${sql.join(parts, sql` or `)})`;
}

/**
 * What each article, section, campaign or variant brought in during the period, per currency,
 * largest first: revenue, gifts, recurring gifts started and their retention, refund and dispute
 * rates (per payment). Gifts with no value for the dimension are one row with the key "".
 */
export async function attribution(actor: Actor, period: Period, dimension: Dimension, db: Queryable, options: { limit?: number; today?: Date } = {}): Promise<AttributionRow[]> {
  await requireStaff(actor, "finance", db);
  const mode = reportingMode();
  const key = COLUMN[dimension];
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  // Recurring gifts are mature for retention once twelve months have passed since their start month ended.
  const matureBefore = addMonths(`${isoDay(options.today ?? new Date()).slice(0, 7)}-01`, -12);
  const rows = await select<Record<string, unknown>>(
    db,
    sql`with money as (
          select ${key} as key, currency, sum(gross_minor) gross, sum(payments_count) payments, sum(gifts_count) gifts,
            sum(refunds_count) refunds, sum(disputes_count) disputes
          from finance_attribution where livemode = ${mode} and ${inPeriod(period)} group by 1, 2
        ), recurring as (
          select ${key} as key, currency, sum(started_count) started,
            sum(started_count) filter (where period < ${matureBefore}::date) mature,
            sum(ended12m_count) filter (where period < ${matureBefore}::date) ended12m
          from finance_recurring_attribution where livemode = ${mode} and ${inPeriod(period)} group by 1, 2
        )
        select coalesce(m.key, r.key) key, coalesce(m.currency, r.currency) currency, coalesce(m.gross, 0) gross, coalesce(m.payments, 0) payments,
          coalesce(m.gifts, 0) gifts, coalesce(m.refunds, 0) refunds, coalesce(m.disputes, 0) disputes,
          coalesce(r.started, 0) started, coalesce(r.mature, 0) mature, coalesce(r.ended12m, 0) ended12m
        from money m full join recurring r on r.key = m.key and r.currency = m.currency
        order by 3 desc, 1 limit ${limit}`,
  );

  return rows.map((row) => {
    const payments = num(row.payments);
    const started = num(row.started);
    const mature = num(row.mature);

    return {
      key: String(row.key),
      currency: String(row.currency).trim(),
      grossMinor: num(row.gross),
      payments,
      gifts: num(row.gifts) + started,
      recurringStarted: started,
      matureStarted: mature,
      retention12m: mature > 0 ? (mature - num(row.ended12m)) / mature : null,
      refunds: num(row.refunds),
      refundRate: payments > 0 ? num(row.refunds) / payments : null,
      disputes: num(row.disputes),
      disputeRate: payments > 0 ? num(row.disputes) / payments : null,
    };
  });
}

export type Proportion = { label: string; a: { hits: number; of: number }; b: { hits: number; of: number }; difference: number | null; margin95: number | null };

/**
 * Two variants of one campaign side by side, in one currency: for each rate (recurring share of
 * gifts, refunds and disputes per payment, recurring gifts ended within a year), B minus A with a
 * 95% margin (normal approximation of the difference of two proportions). A variant that raises
 * gifts but also refunds or churn shows it here.
 */
export function compareVariants(a: AttributionRow, b: AttributionRow): Proportion[] {
  const rate = (label: string, pick: (row: AttributionRow) => { hits: number; of: number }): Proportion => {
    const pa = pick(a);
    const pb = pick(b);
    if (pa.of === 0 || pb.of === 0) return { label, a: pa, b: pb, difference: null, margin95: null };
    const ra = pa.hits / pa.of;
    const rb = pb.hits / pb.of;

    return { label, a: pa, b: pb, difference: rb - ra, margin95: 1.96 * Math.sqrt((ra * (1 - ra)) / pa.of + (rb * (1 - rb)) / pb.of) };
  };

  return [
    rate("Recurring share of gifts", (row) => ({ hits: row.recurringStarted, of: row.gifts })),
    rate("Refunds per payment", (row) => ({ hits: row.refunds, of: row.payments })),
    rate("Disputes per payment", (row) => ({ hits: row.disputes, of: row.payments })),
    rate("Recurring gifts ended within a year", (row) => ({ hits: row.matureStarted - Math.round((row.retention12m ?? 1) * row.matureStarted), of: row.matureStarted })),
  ];
}
