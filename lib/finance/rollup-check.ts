import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";

/**
 * Each rollup (db/schema/finance.ts) against a recomputation from the raw ledger, written here in
 * plain SQL apart from the triggers that keep it: the differences, none when they agree. Rows of
 * zeros are left out on both sides (a rollup keeps a row whose facts moved elsewhere).
 */
const CHECKS: Record<RollupTable, { keys: number; values: number; columns: string; recomputed: string }> = {
  finance_daily: {
    keys: 5,
    values: 18,
    columns: `livemode, day, currency, kind, settlement_currency, payments_count, first_payments_count, gross_minor, settled_count,
        settlement_gross_minor, fee_minor, net_minor, refunds_count, refunded_minor, refund_fee_minor, refund_net_minor, disputes_count, disputed_minor,
        disputes_open_count, disputes_won_count, disputes_lost_count, dispute_fee_minor, dispute_net_minor`,
    recomputed: `
      with facts as (
        select p.livemode, (p.paid_at at time zone 'UTC')::date as day, p.currency, case when p.recurring_gift_id is null then 'once' else 'recurring' end as kind,
          coalesce(p.settlement_currency, '') as settlement_currency,
          1 as payments_count, case when p.recurring_gift_id is null or p.billing_reason = 'subscription_create' then 1 else 0 end as first_payments_count,
          p.amount_minor as gross_minor, case when p.fee_minor is null then 0 else 1 end as settled_count, coalesce(p.settlement_amount_minor, 0) as settlement_gross_minor,
          coalesce(p.fee_minor, 0) as fee_minor, coalesce(p.net_minor, 0) as net_minor,
          0 as refunds_count, 0 as refunded_minor, 0 as refund_fee_minor, 0 as refund_net_minor,
          0 as disputes_count, 0 as disputed_minor, 0 as disputes_open_count, 0 as disputes_won_count, 0 as disputes_lost_count, 0 as dispute_fee_minor, 0 as dispute_net_minor
        from payments p
        union all
        select p.livemode, (r.refunded_at at time zone 'UTC')::date, r.currency, case when p.recurring_gift_id is null then 'once' else 'recurring' end,
          coalesce(r.settlement_currency, ''), 0, 0, 0, 0, 0, 0, 0, 1, r.amount_minor, coalesce(r.fee_minor, 0), coalesce(r.net_minor, 0), 0, 0, 0, 0, 0, 0, 0
        from refunds r join payments p on p.id = r.payment_id where r.status in ('pending', 'requires_action', 'succeeded')
        union all
        select p.livemode, (x.opened_at at time zone 'UTC')::date, x.currency, case when p.recurring_gift_id is null then 'once' else 'recurring' end,
          coalesce(x.settlement_currency, ''), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, x.amount_minor,
          case when x.status in ('warning_needs_response', 'warning_under_review', 'needs_response', 'under_review') then 1 else 0 end,
          case when x.status = 'won' then 1 else 0 end, case when x.status = 'lost' then 1 else 0 end, x.fee_minor, x.net_minor
        from disputes x join payments p on p.id = x.payment_id where x.status <> 'warning_closed'
      )
      select livemode, day, currency, kind, settlement_currency, sum(payments_count), sum(first_payments_count), sum(gross_minor), sum(settled_count),
        sum(settlement_gross_minor), sum(fee_minor), sum(net_minor), sum(refunds_count), sum(refunded_minor), sum(refund_fee_minor), sum(refund_net_minor),
        sum(disputes_count), sum(disputed_minor), sum(disputes_open_count), sum(disputes_won_count), sum(disputes_lost_count), sum(dispute_fee_minor), sum(dispute_net_minor)
      from facts group by 1, 2, 3, 4, 5`,
  },
  finance_attribution: {
    keys: 8,
    values: 7,
    columns: `grain, livemode, period, currency, article_url, section, campaign, variant, payments_count, gifts_count, gross_minor,
        refunds_count, refunded_minor, disputes_count, disputed_minor`,
    recomputed: `
      with source as (
        select p.id, p.livemode, p.currency, p.amount_minor, p.paid_at, p.recurring_gift_id,
          coalesce(g.article_url, r.article_url, '') as article_url, coalesce(g.section, r.section, '') as section,
          coalesce(g.campaign, r.campaign, '') as campaign, coalesce(g.variant, r.variant, '') as variant
        from payments p left join gifts g on g.id = p.gift_id left join recurring_gifts r on r.id = p.recurring_gift_id
      ), facts as (
        select livemode, paid_at as at, currency, article_url, section, campaign, variant, 1 as payments_count,
          case when recurring_gift_id is null then 1 else 0 end as gifts_count, amount_minor as gross_minor,
          0 as refunds_count, 0 as refunded_minor, 0 as disputes_count, 0 as disputed_minor
        from source
        union all
        select s.livemode, r.refunded_at, r.currency, s.article_url, s.section, s.campaign, s.variant, 0, 0, 0, 1, r.amount_minor, 0, 0
        from refunds r join source s on s.id = r.payment_id where r.status in ('pending', 'requires_action', 'succeeded')
        union all
        select s.livemode, x.opened_at, x.currency, s.article_url, s.section, s.campaign, s.variant, 0, 0, 0, 0, 0, 1, x.amount_minor
        from disputes x join source s on s.id = x.payment_id where x.status <> 'warning_closed'
      )
      select grain, livemode, date_trunc(grain, at at time zone 'UTC')::date, currency, article_url, section, campaign, variant,
        sum(payments_count), sum(gifts_count), sum(gross_minor), sum(refunds_count), sum(refunded_minor), sum(disputes_count), sum(disputed_minor)
      from facts cross join (values ('day'), ('month')) as grains(grain) group by 1, 2, 3, 4, 5, 6, 7, 8`,
  },
  finance_recurring_attribution: {
    keys: 8,
    values: 2,
    columns: `grain, livemode, period, currency, article_url, section, campaign, variant, started_count, ended12m_count`,
    recomputed: `
      select grain, livemode, date_trunc(grain, started_at at time zone 'UTC')::date, currency, coalesce(article_url, ''), coalesce(section, ''),
        coalesce(campaign, ''), coalesce(variant, ''), count(*),
        count(*) filter (where status = 'ended' and ended_at is not null and ended_at < started_at + interval '12 months')
      from recurring_gifts cross join (values ('day'), ('month')) as grains(grain)
      where status not in ('incomplete', 'unknown') and not (status = 'ended' and coalesce(status_reason, '') = 'incomplete_expired')
      group by 1, 2, 3, 4, 5, 6, 7, 8`,
  },
  finance_recurring_daily: {
    keys: 3,
    values: 6,
    columns: `livemode, day, currency, started_count, ended_cancelled_count, ended_failed_count, ended_other_count, active_delta, arr_delta_minor`,
    recomputed: `
      with real as (
        select r.*, finance_arr(r) as arr, status <> 'paused' as counted, status = 'ended' and ended_at is not null as ended
        from recurring_gifts r
        where status not in ('incomplete', 'unknown') and not (status = 'ended' and coalesce(status_reason, '') = 'incomplete_expired')
      ), facts as (
        select livemode, (started_at at time zone 'UTC')::date as day, currency, 1 as started_count, 0 as c, 0 as f, 0 as o,
          case when counted then 1 else 0 end as active_delta, case when counted then arr else 0 end as arr_delta
        from real
        union all
        select livemode, (ended_at at time zone 'UTC')::date, currency, 0,
          case when status_reason = 'cancellation_requested' then 1 else 0 end, case when status_reason = 'payment_failed' then 1 else 0 end,
          case when coalesce(status_reason, '') not in ('cancellation_requested', 'payment_failed') then 1 else 0 end, -1, -arr
        from real where ended
      )
      select livemode, day, currency, sum(started_count), sum(c), sum(f), sum(o), sum(active_delta), sum(arr_delta) from facts group by 1, 2, 3`,
  },
  finance_recurring_now: {
    keys: 4,
    values: 2,
    columns: `livemode, currency, status, frequency, gifts_count, arr_minor`,
    recomputed: `select livemode, currency, status::text, coalesce(frequency::text, ''), count(*), sum(finance_arr(r)) from recurring_gifts r group by 1, 2, 3, 4`,
  },
  finance_cohorts: {
    keys: 4,
    values: 1,
    columns: `livemode, currency, start_month, end_month, gifts_count`,
    recomputed: `
      select livemode, currency, date_trunc('month', started_at at time zone 'UTC')::date,
        case when status = 'ended' and ended_at is not null then date_trunc('month', ended_at at time zone 'UTC')::date else 'infinity'::date end, count(*)
      from recurring_gifts
      where status not in ('incomplete', 'unknown') and not (status = 'ended' and coalesce(status_reason, '') = 'incomplete_expired')
      group by 1, 2, 3, 4`,
  },
};

export type RollupDifference = { rollup: string; onlyInRollup: string[]; onlyInLedger: string[] };

/** The rollup tables, in the order a writer takes them (the recurring ones first). */
export const ROLLUP_TABLES = [
  "finance_recurring_now",
  "finance_recurring_daily",
  "finance_cohorts",
  "finance_recurring_attribution",
  "finance_daily",
  "finance_attribution",
] as const;
export type RollupTable = (typeof ROLLUP_TABLES)[number];

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A query's rows named c0…cn, those whose every number is 0 left out: such a row holds nothing. */
function nonZero(check: (typeof CHECKS)[RollupTable], query: string): string {
  const names = Array.from({ length: check.keys + check.values }, (_, i) => `c${i}`);
  const values = names.slice(check.keys);

  return `select * from (${query}) as t(${names.join(", ")}) where (${values.join(", ")}) <> (${values.map(() => "0").join(", ")})`;
}

/**
 * The rollups that disagree with the ledger, each with the rows that differ (as text); empty when
 * all agree. The two sides are compared in the database (EXCEPT), so a ledger of millions of
 * payments is checked without bringing its rollups into memory; at most `limit` lines of each side
 * are returned.
 */
export async function rollupDifferences(db: Queryable, options: { limit?: number } = {}): Promise<RollupDifference[]> {
  const limit = options.limit ?? 1000;
  const differences: RollupDifference[] = [];
  for (const rollup of ROLLUP_TABLES) {
    const check = CHECKS[rollup];
    const kept = nonZero(check, `select ${check.columns} from ${rollup}`);
    const recomputed = nonZero(check, check.recomputed);
    const lines = async (left: string, right: string) =>
      rowsOf<{ line: string }>(await db.execute(sql.raw(`select d::text as line from ((${left}) except (${right})) as d limit ${limit}`))).map((row) => row.line);
    const onlyInRollup = await lines(kept, recomputed);
    const onlyInLedger = await lines(recomputed, kept);
    if (onlyInRollup.length > 0 || onlyInLedger.length > 0) differences.push({ rollup, onlyInRollup, onlyInLedger });
  }

  return differences;
}

/**
 * Every rollup rebuilt from the ledger with the same recomputation the check uses: for a bulk load
 * written with the triggers off (scripts/seed.ts). Run it in one transaction with nothing else
 * writing: it empties the rollups first.
 */
export async function rebuildRollups(db: Queryable, onTable: (table: RollupTable) => void = () => {}): Promise<void> {
  for (const rollup of ROLLUP_TABLES) {
    const check = CHECKS[rollup];
    await db.execute(sql.raw(`delete from ${rollup}`));
    await db.execute(sql.raw(`insert into ${rollup} (${check.columns}) ${nonZero(check, check.recomputed)}`));
    onTable(rollup);
  }
}
