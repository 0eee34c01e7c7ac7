import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";

// A gift's key in each attribution dimension; a variant means something only within its campaign.
const dimensionKey = `case dimension when 'article' then article_url when 'section' then section when 'campaign' then campaign
        else campaign || ' / ' || variant end`;
const dimensionsAndGrains = `(values ('article'), ('section'), ('campaign'), ('variant')) as dimensions(dimension) cross join (values ('day'), ('month')) as grains(grain)`;

/**
 * Each rollup (db/schema/finance.ts) against a recomputation from the raw ledger, written here in
 * plain SQL apart from the triggers that keep it: the differences, none when they agree. Rows of
 * zeros are left out on both sides (a rollup keeps a row whose facts moved elsewhere).
 */
const CHECKS: Record<RollupTable, { keys: number; values: number; columns: string; recomputed: string }> = {
  finance_daily: {
    keys: 5,
    values: 20,
    columns: `livemode, day, currency, kind, settlement_currency, payments_count, first_payments_count, gross_minor, settled_count,
        settlement_gross_minor, fee_minor, net_minor, refunds_count, refunded_minor, refund_fee_minor, refund_net_minor, disputes_count, disputed_minor,
        disputes_open_count, disputes_won_count, disputes_lost_count, dispute_fee_minor, dispute_net_minor, recovered_count, recovered_minor`,
    recomputed: `
      with facts as (
        select p.livemode, (p.paid_at at time zone 'UTC')::date as day, p.currency, case when p.recurring_gift_id is null then 'once' else 'recurring' end as kind,
          coalesce(p.settlement_currency, '') as settlement_currency,
          1 as payments_count, case when p.recurring_gift_id is null or p.billing_reason = 'subscription_create' then 1 else 0 end as first_payments_count,
          p.amount_minor as gross_minor, case when p.fee_minor is null then 0 else 1 end as settled_count, coalesce(p.settlement_amount_minor, 0) as settlement_gross_minor,
          coalesce(p.fee_minor, 0) as fee_minor, coalesce(p.net_minor, 0) as net_minor,
          0 as refunds_count, 0 as refunded_minor, 0 as refund_fee_minor, 0 as refund_net_minor,
          0 as disputes_count, 0 as disputed_minor, 0 as disputes_open_count, 0 as disputes_won_count, 0 as disputes_lost_count, 0 as dispute_fee_minor, 0 as dispute_net_minor,
          case when failed.stripe_invoice_id is null then 0 else 1 end as recovered_count, case when failed.stripe_invoice_id is null then 0 else p.amount_minor end as recovered_minor
        from payments p left join (select distinct stripe_invoice_id from payment_failures) failed on failed.stripe_invoice_id = p.stripe_invoice_id
        union all
        select p.livemode, (r.refunded_at at time zone 'UTC')::date, r.currency, case when p.recurring_gift_id is null then 'once' else 'recurring' end,
          coalesce(r.settlement_currency, ''), 0, 0, 0, 0, 0, 0, 0, 1, r.amount_minor, coalesce(r.fee_minor, 0), coalesce(r.net_minor, 0), 0, 0, 0, 0, 0, 0, 0, 0, 0
        from refunds r join payments p on p.id = r.payment_id where r.status in ('pending', 'requires_action', 'succeeded')
        union all
        select p.livemode, (x.opened_at at time zone 'UTC')::date, x.currency, case when p.recurring_gift_id is null then 'once' else 'recurring' end,
          coalesce(x.settlement_currency, ''), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, x.amount_minor,
          case when x.status in ('warning_needs_response', 'warning_under_review', 'needs_response', 'under_review') then 1 else 0 end,
          case when x.status = 'won' then 1 else 0 end, case when x.status = 'lost' then 1 else 0 end, x.fee_minor, x.net_minor, 0, 0
        from disputes x join payments p on p.id = x.payment_id where x.status <> 'warning_closed'
      )
      select livemode, day, currency, kind, settlement_currency, sum(payments_count), sum(first_payments_count), sum(gross_minor), sum(settled_count),
        sum(settlement_gross_minor), sum(fee_minor), sum(net_minor), sum(refunds_count), sum(refunded_minor), sum(refund_fee_minor), sum(refund_net_minor),
        sum(disputes_count), sum(disputed_minor), sum(disputes_open_count), sum(disputes_won_count), sum(disputes_lost_count), sum(dispute_fee_minor), sum(dispute_net_minor),
        sum(recovered_count), sum(recovered_minor)
      from facts group by 1, 2, 3, 4, 5`,
  },
  finance_attribution: {
    keys: 6,
    values: 7,
    columns: `livemode, dimension, grain, period, currency, key, payments_count, gifts_count, gross_minor,
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
      ), by_day as (
        select livemode, (at at time zone 'UTC')::date as day, currency, article_url, section, campaign, variant,
          sum(payments_count) as payments_count, sum(gifts_count) as gifts_count, sum(gross_minor) as gross_minor, sum(refunds_count) as refunds_count,
          sum(refunded_minor) as refunded_minor, sum(disputes_count) as disputes_count, sum(disputed_minor) as disputed_minor
        from facts group by 1, 2, 3, 4, 5, 6, 7
      )
      select livemode, dimension, grain, date_trunc(grain, day::timestamp)::date, currency,
        ${dimensionKey}, sum(payments_count), sum(gifts_count), sum(gross_minor), sum(refunds_count), sum(refunded_minor), sum(disputes_count), sum(disputed_minor)
      from by_day cross join ${dimensionsAndGrains} group by 1, 2, 3, 4, 5, 6`,
  },
  finance_recurring_attribution: {
    keys: 6,
    values: 2,
    columns: `livemode, dimension, grain, period, currency, key, started_count, ended12m_count`,
    recomputed: `
      with real as (
        select livemode, (started_at at time zone 'UTC')::date as day, currency, coalesce(article_url, '') as article_url, coalesce(section, '') as section,
          coalesce(campaign, '') as campaign, coalesce(variant, '') as variant,
          case when status = 'ended' and ended_at is not null and ended_at < started_at + interval '12 months' then 1 else 0 end as ended12m
        from recurring_gifts
        where status not in ('incomplete', 'unknown') and not (status = 'ended' and coalesce(status_reason, '') = 'incomplete_expired')
      )
      select livemode, dimension, grain, date_trunc(grain, day::timestamp)::date, currency, ${dimensionKey}, count(*), sum(ended12m)
      from real cross join ${dimensionsAndGrains} group by 1, 2, 3, 4, 5, 6`,
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
  finance_supporter_days: {
    keys: 3,
    values: 1,
    columns: `livemode, day, currency, supporter_days`,
    recomputed: `
      select livemode, (paid_at at time zone 'UTC')::date, currency, count(distinct supporter_id)
      from payments where supporter_id is not null group by 1, 2, 3`,
  },
  finance_supporter_pairs: {
    keys: 5,
    values: 1,
    columns: `livemode, currency, grain, first_period, next_day, pairs`,
    recomputed: `
      with paying_days as (
        select distinct livemode, currency, supporter_id, (paid_at at time zone 'UTC')::date as day from payments where supporter_id is not null
      ), consecutive as (
        select livemode, currency, day as first_day, lead(day) over (partition by livemode, currency, supporter_id order by day) as next_day from paying_days
      )
      select livemode, currency, grain, date_trunc(grain, first_day)::date, next_day, count(*)
      from consecutive cross join (values ('day'), ('month')) as grains(grain)
      where next_day is not null
      group by 1, 2, 3, 4, 5`,
  },
  finance_reminders_daily: {
    keys: 2,
    values: 5,
    columns: `day, campaign, set_count, with_email_count, sent_count, gave_before_due_count, gave_after_reminder_count`,
    recomputed: `
      select (created_at at time zone 'UTC')::date, coalesce(campaign, ''), count(*), count(*) filter (where email_given),
        count(*) filter (where sent_at is not null), count(*) filter (where status = 'gave'), count(*) filter (where status = 'sent' and gave_at is not null)
      from reminders group by 1, 2`,
  },
};

// A payout's lines judged by the rules of lib/finance/payouts.ts (matchLine; a dispute's lines across
// payouts against its net): the payout's own line, and whether our ledger accounts for a line's net.
const JUDGED_LINES = `
  with dispute_lines as (
    select dispute_id, sum(net_minor) as net, bool_or(net_minor > 0) as reinstated from payout_transactions where dispute_id is not null group by dispute_id
  )
  select l.id, l.payout_id, l.net_minor, l.type = 'payout' and l.source_id is not distinct from po.stripe_payout_id as own,
    case
      when l.type in ('charge', 'payment') then coalesce(p.fee_minor = l.fee_minor and p.net_minor = l.net_minor and p.settlement_currency = l.currency, false)
      when l.type in ('refund', 'payment_refund') then coalesce(r.net_minor = l.net_minor and r.settlement_currency = l.currency, false)
      when l.reporting_category in ('dispute', 'dispute_reversal') or (l.type = 'adjustment' and l.source_id like 'du\\_%')
        then coalesce(x.id is not null and (d.net = x.net_minor or (x.status = 'won' and not d.reinstated)), false)
      else false
    end as matched
  from payout_transactions l join payouts po on po.id = l.payout_id
    left join payments p on p.id = l.payment_id left join refunds r on r.id = l.refund_id
    left join disputes x on x.id = l.dispute_id left join dispute_lines d on d.dispute_id = l.dispute_id`;

/**
 * What the triggers keep on payouts and their lines (db/migrations/0008_finance_speed.sql), checked
 * and rebuilt like the rollups: the columns are not tables of their own, so they are compared by key
 * and rebuilt by update.
 */
const PAYOUT_CHECKS = {
  payout_transactions: {
    keys: 2,
    values: 2,
    kept: `select payout_id, id, own::int, matched::int from payout_transactions`,
    recomputed: `select payout_id, id, own::int, matched::int from (${JUDGED_LINES}) as judged`,
    rebuild: `update payout_transactions t set own = judged.own, matched = judged.matched from (${JUDGED_LINES}) as judged
      where judged.id = t.id and (t.own, t.matched) is distinct from (judged.own, judged.matched)`,
  },
  payouts: {
    keys: 1,
    values: 3,
    kept: `select id, lines_count, lines_net_minor, unmatched_lines_count from payouts`,
    recomputed: `select payout_id, count(*), sum(net_minor), count(*) filter (where not matched) from (${JUDGED_LINES}) as judged where not own group by payout_id`,
    rebuild: `update payouts p set lines_count = coalesce(c.lines, 0), lines_net_minor = coalesce(c.net, 0), unmatched_lines_count = coalesce(c.unmatched, 0)
      from payouts q left join (select payout_id, count(*) as lines, sum(net_minor) as net, count(*) filter (where not matched) as unmatched
        from payout_transactions where not own group by payout_id) as c on c.payout_id = q.id
      where q.id = p.id and (p.lines_count, p.lines_net_minor, p.unmatched_lines_count) is distinct from (coalesce(c.lines, 0), coalesce(c.net, 0), coalesce(c.unmatched, 0))`,
  },
} as const;

export type RollupDifference = { rollup: string; onlyInRollup: string[]; onlyInLedger: string[] };

/** The rollup tables, in the order a writer takes them (the recurring ones first). */
export const ROLLUP_TABLES = [
  "finance_recurring_now",
  "finance_recurring_daily",
  "finance_cohorts",
  "finance_recurring_attribution",
  "finance_daily",
  "finance_attribution",
  "finance_supporter_days",
  "finance_supporter_pairs",
  // A checkout that converts a reminder writes it after the gift's money.
  "finance_reminders_daily",
] as const;
export type RollupTable = (typeof ROLLUP_TABLES)[number];

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A query's rows named c0…cn, those whose every number is 0 left out: such a row holds nothing. */
function nonZero(check: { keys: number; values: number }, query: string): string {
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
  for (const [table, check] of Object.entries(PAYOUT_CHECKS)) {
    const kept = nonZero(check, check.kept);
    const recomputed = nonZero(check, check.recomputed);
    const lines = async (left: string, right: string) =>
      rowsOf<{ line: string }>(await db.execute(sql.raw(`select d::text as line from ((${left}) except (${right})) as d limit ${limit}`))).map((row) => row.line);
    const onlyInRollup = await lines(kept, recomputed);
    const onlyInLedger = await lines(recomputed, kept);
    if (onlyInRollup.length > 0 || onlyInLedger.length > 0) differences.push({ rollup: table, onlyInRollup, onlyInLedger });
  }

  return differences;
}

/**
 * Every rollup rebuilt from the ledger with the same recomputation the check uses: for a bulk load
 * written with the triggers off (scripts/seed.ts). Run it in one transaction with nothing else
 * writing: it empties the rollups first.
 */
export async function rebuildRollups(db: Queryable, onTable: (table: RollupTable | keyof typeof PAYOUT_CHECKS) => void = () => {}): Promise<void> {
  for (const rollup of ROLLUP_TABLES) {
    const check = CHECKS[rollup];
    await db.execute(sql.raw(`delete from ${rollup}`));
    await db.execute(sql.raw(`insert into ${rollup} (${check.columns}) ${nonZero(check, check.recomputed)}`));
    onTable(rollup);
  }
  // The lines first: a payout's counts are of its lines' judgements.
  await db.execute(sql.raw(PAYOUT_CHECKS.payout_transactions.rebuild));
  onTable("payout_transactions");
  await db.execute(sql.raw(PAYOUT_CHECKS.payouts.rebuild));
  onTable("payouts");
}
