import { type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import type { Actor } from "@/lib/supporters/actor";
import { requireStaff } from "@/lib/staff/staff";
import { reportingMode } from "./figures";
import { addDays, addMonths, isoDay, type Period, splitByMonths } from "./period";
import { num, select } from "./select";

export const DIMENSIONS = ["article", "section", "campaign", "variant"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

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

/** The rollups' rows of a period: whole months from the monthly ones, the edge days from the daily ones (of the table `alias`, if given). */
export function inPeriod(period: Period, alias?: string): SQL {
  const column = (name: string) => sql.raw(alias ? `${alias}.${name}` : name);
  const split = splitByMonths(period);
  const parts: SQL[] = split.days.map((range) => sql`(${column("grain")} = 'day' and ${column("period")} between ${range.from}::date and ${range.to}::date)`);
  if (split.months) parts.push(sql`(${column("grain")} = 'month' and ${column("period")} between ${split.months.from}::date and ${split.months.to}::date)`);

  return sql`(${sql.join(parts, sql` or `)})`;
}

/** The period's rollup rows as blocks, each a grain and one period of it: its whole months, then its edge days (a list, so the planner knows how many). */
function blocksOf(period: Period): SQL {
  const split = splitByMonths(period);
  const blocks: SQL[] = [];
  if (split.months) for (let month = split.months.from; month <= split.months.to; month = addMonths(month, 1)) blocks.push(sql`('month', ${month}::date)`);
  for (const range of split.days) for (let day = range.from; day <= range.to; day = addDays(day, 1)) blocks.push(sql`('day', ${day}::date)`);

  return sql`values ${sql.join(blocks, sql`, `)}`;
}

type Money = { key: string; currency: string; gross: number; payments: number; gifts: number; refunds: number; disputes: number };
type Recurring = { started: number; mature: number; ended12m: number };
const pairKey = (currency: string, key: string) => `${currency.trim()}\u0000${key}`;
const byRank = (a: Money, b: Money) => b.gross - a.gross || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || (a.currency < b.currency ? -1 : 1);

/**
 * What each article, section, campaign or variant brought in during the period, per currency,
 * largest first: revenue, gifts, recurring gifts started and their retention, refund and dispute
 * rates (per payment). Gifts with no value for the dimension are one row with the key ""; a
 * variant's key is "campaign / variant" (a variant means something only within its campaign).
 * Read from the dimension's own rollup rows, so a year costs its keys, not every combination.
 */
export async function attribution(actor: Actor, period: Period, dimension: Dimension, db: Queryable, options: { limit?: number; today?: Date } = {}): Promise<AttributionRow[]> {
  await requireStaff(actor, "finance", db);
  const mode = reportingMode();
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  // Recurring gifts are mature for retention once twelve months have passed since their start month ended.
  const matureBefore = addMonths(`${isoDay(options.today ?? new Date()).slice(0, 7)}-01`, -12);
  const ranked = (await topByGross(db, mode, period, dimension, limit)) ?? (await everyKey(db, mode, period, dimension, limit));
  const recurring = await recurringOf(db, mode, period, dimension, matureBefore, ranked);

  return ranked.map((money) => {
    const r = recurring.get(pairKey(money.currency, money.key)) ?? { started: 0, mature: 0, ended12m: 0 };

    return {
      key: money.key,
      currency: money.currency,
      grossMinor: money.gross,
      payments: money.payments,
      gifts: money.gifts + r.started,
      recurringStarted: r.started,
      matureStarted: r.mature,
      retention12m: r.mature > 0 ? (r.mature - r.ended12m) / r.mature : null,
      refunds: money.refunds,
      refundRate: money.payments > 0 ? money.refunds / money.payments : null,
      disputes: money.disputes,
      disputeRate: money.payments > 0 ? money.disputes / money.payments : null,
    };
  });
}

/**
 * The `limit` keys with the most revenue in the period, exactly, without adding up every key's rows
 * (a year of articles is ~150k monthly rows at 10M payments): from each block of the period (a
 * month, an edge day) its `n` largest rows by revenue (an index on it), then those candidates' exact
 * sums over the period. A key that is in no block's top `n` has at most the sum, over blocks, of each
 * block's next-largest revenue; once the `limit`-th candidate is above that bound, no other key can
 * displace it. A wider `n` if not; null when every block has fewer rows than `n` (the whole period
 * is small: summed directly, keys of gifts started without a payment included).
 */
async function topByGross(db: Queryable, mode: string, period: Period, dimension: Dimension, limit: number): Promise<Money[] | null> {
  for (let n = limit * 2; n <= limit * 32; n *= 4) {
    const rows = await select<{ grain: string; period: string; currency: string; key: string; gross: unknown }>(
      db,
      sql`with blocks(grain, period) as (${blocksOf(period)})
          select b.grain, b.period::text period, t.currency, t.key, t.gross
          from blocks b cross join lateral (
            select f.currency, f.key, f.gross_minor gross from finance_attribution f
            where f.livemode = ${mode} and f.dimension = ${dimension} and f.grain = b.grain and f.period = b.period
            order by f.gross_minor desc nulls last limit ${n + 1}) t`,
    );
    const blocks = new Map<string, Array<{ currency: string; key: string; gross: number }>>();
    for (const row of rows) {
      const block = `${row.grain} ${row.period}`;
      const entry = { currency: String(row.currency).trim(), key: String(row.key), gross: num(row.gross) };
      const list = blocks.get(block);
      if (list) list.push(entry);
      else blocks.set(block, [entry]);
    }
    if ([...blocks.values()].every((list) => list.length <= n)) return null;
    let bound = 0;
    const candidates = new Map<string, { currency: string; key: string }>();
    for (const list of blocks.values()) {
      list.sort((a, b) => b.gross - a.gross);
      if (list.length > n) bound += list[n]!.gross;
      for (const entry of list.slice(0, n)) candidates.set(pairKey(entry.currency, entry.key), entry);
    }
    const sums = await moneyOf(db, mode, period, dimension, [...candidates.values()]);
    sums.sort(byRank);
    if (sums.length >= limit && sums[limit - 1]!.gross > bound) return sums.slice(0, limit);
  }

  return null;
}

/** The exact money of some keys over the period, each key's rows read by the primary key (mode, dimension, currency, key, …). */
async function moneyOf(db: Queryable, mode: string, period: Period, dimension: Dimension, keys: Array<{ currency: string; key: string }>): Promise<Money[]> {
  if (keys.length === 0) return [];
  const rows = await select<Record<string, unknown>>(
    db,
    sql`with c(currency, key) as (values ${sql.join(
      keys.map((k) => sql`(${k.currency}::char(3), ${k.key}::text)`),
      sql`, `,
    )})
        select c.currency, c.key, sum(f.gross_minor) gross, sum(f.payments_count) payments, sum(f.gifts_count) gifts,
          sum(f.refunds_count) refunds, sum(f.disputes_count) disputes
        from c join finance_attribution f on f.livemode = ${mode} and f.dimension = ${dimension} and f.currency = c.currency and f.key = c.key and ${inPeriod(period, "f")}
        group by 1, 2`,
  );

  return rows.map(moneyRow);
}

/** Every key's money in the period, largest first: for a period small enough to add up whole (and keys of gifts started without a payment in it). */
async function everyKey(db: Queryable, mode: string, period: Period, dimension: Dimension, limit: number): Promise<Money[]> {
  const rows = await select<Record<string, unknown>>(
    db,
    sql`with money as (
          select currency, key, sum(gross_minor) gross, sum(payments_count) payments, sum(gifts_count) gifts, sum(refunds_count) refunds, sum(disputes_count) disputes
          from finance_attribution where livemode = ${mode} and dimension = ${dimension} and ${inPeriod(period)} group by 1, 2
        ), recurring as (
          select currency, key from finance_recurring_attribution where livemode = ${mode} and dimension = ${dimension} and ${inPeriod(period)} group by 1, 2
        )
        select coalesce(m.currency, r.currency) currency, coalesce(m.key, r.key) key, coalesce(m.gross, 0) gross, coalesce(m.payments, 0) payments,
          coalesce(m.gifts, 0) gifts, coalesce(m.refunds, 0) refunds, coalesce(m.disputes, 0) disputes
        from money m full join recurring r on r.key = m.key and r.currency = m.currency`,
  );

  return rows.map(moneyRow).sort(byRank).slice(0, limit);
}

function moneyRow(row: Record<string, unknown>): Money {
  return {
    currency: String(row.currency).trim(),
    key: String(row.key),
    gross: num(row.gross),
    payments: num(row.payments),
    gifts: num(row.gifts),
    refunds: num(row.refunds),
    disputes: num(row.disputes),
  };
}

/** The recurring gifts the ranked keys started in the period, and of the mature ones how many ended within a year. */
async function recurringOf(db: Queryable, mode: string, period: Period, dimension: Dimension, matureBefore: string, keys: Money[]): Promise<Map<string, Recurring>> {
  const result = new Map<string, Recurring>();
  if (keys.length === 0) return result;
  const rows = await select<Record<string, unknown>>(
    db,
    sql`with c(currency, key) as (values ${sql.join(
      keys.map((k) => sql`(${k.currency}::char(3), ${k.key}::text)`),
      sql`, `,
    )})
        select c.currency, c.key, sum(f.started_count) started,
          sum(f.started_count) filter (where f.period < ${matureBefore}::date) mature,
          sum(f.ended12m_count) filter (where f.period < ${matureBefore}::date) ended12m
        from c join finance_recurring_attribution f on f.livemode = ${mode} and f.dimension = ${dimension} and f.currency = c.currency and f.key = c.key
          and ${inPeriod(period, "f")}
        group by 1, 2`,
  );
  for (const row of rows) result.set(pairKey(String(row.currency), String(row.key)), { started: num(row.started), mature: num(row.mature), ended12m: num(row.ended12m) });

  return result;
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
