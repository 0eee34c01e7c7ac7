import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { env } from "@/lib/env";
import type { Actor } from "@/lib/supporters/actor";
import { requireStaff } from "@/lib/staff/staff";
import { addDays, addMonths, bucketFor, type Period } from "./period";
import { num, select } from "./select";

/** Live figures with a live key, the test ones otherwise: never the two mixed. */
export function reportingMode(): "live" | "test" {
  return env().stripe.live ? "live" : "test";
}

/** Where Stripe settled a currency's payments: fees and nets are in that currency. */
export type Settlement = {
  settlementCurrency: string;
  payments: number;
  grossMinor: number;
  feeMinor: number;
  netMinor: number;
  refundNetMinor: number;
  refundFeeMinor: number;
  disputeNetMinor: number;
  disputeFeeMinor: number;
  /** Payments net, less refunds and disputes: what reaches the balance. */
  balanceNetMinor: number;
};

export type CurrencyFigures = {
  currency: string;
  grossMinor: number;
  onceGrossMinor: number;
  recurringGrossMinor: number;
  payments: number;
  oncePayments: number;
  recurringPayments: number;
  /** One-time gifts and first payments of recurring gifts. */
  newGifts: number;
  supporters: number;
  refunds: number;
  refundedMinor: number;
  disputes: number;
  disputedMinor: number;
  disputesOpen: number;
  disputesWon: number;
  disputesLost: number;
  /** Payments whose fee Stripe has not reported yet (their settlement is not in the figures). */
  unsettledPayments: number;
  settlements: Settlement[];
  recurring: RecurringFigures;
  recovered: { payments: number; amountMinor: number };
};

export type RecurringFigures = {
  /** Monthly recurring revenue at the end of the period (an annual gift counts a twelfth). */
  mrrMinor: number;
  arrMinor: number;
  /** Now: active (including those ending at their period's end), paused, past due (at risk). */
  active: number;
  cancelling: number;
  paused: number;
  pastDue: number;
  pastDueMrrMinor: number;
  /** In the period. */
  started: number;
  endedBySupporter: number;
  endedByFailedPayments: number;
  endedOtherwise: number;
};

const ZERO_RECURRING: RecurringFigures = {
  mrrMinor: 0,
  arrMinor: 0,
  active: 0,
  cancelling: 0,
  paused: 0,
  pastDue: 0,
  pastDueMrrMinor: 0,
  started: 0,
  endedBySupporter: 0,
  endedByFailedPayments: 0,
  endedOtherwise: 0,
};

/**
 * The period's figures, one entry per charge currency (no exchange rates are invented; where
 * Stripe settled in another currency its figures are beside). Finance staff only, checked here.
 */
export async function periodFigures(actor: Actor, period: Period, db: Queryable): Promise<CurrencyFigures[]> {
  await requireStaff(actor, "finance", db);

  return figuresFor(period, db);
}

/** The figures without the check: for callers that authorised otherwise (an API token). */
export async function figuresFor(period: Period, db: Queryable): Promise<CurrencyFigures[]> {
  const mode = reportingMode();
  const daily = await select<Record<string, unknown>>(
    db,
    sql`select currency, kind, settlement_currency,
          sum(payments_count) payments, sum(first_payments_count) first_payments, sum(gross_minor) gross, sum(settled_count) settled,
          sum(settlement_gross_minor) settlement_gross, sum(fee_minor) fee, sum(net_minor) net,
          sum(refunds_count) refunds, sum(refunded_minor) refunded, sum(refund_fee_minor) refund_fee, sum(refund_net_minor) refund_net,
          sum(disputes_count) disputes, sum(disputed_minor) disputed, sum(disputes_open_count) open, sum(disputes_won_count) won,
          sum(disputes_lost_count) lost, sum(dispute_fee_minor) dispute_fee, sum(dispute_net_minor) dispute_net,
          sum(recovered_count) recovered, sum(recovered_minor) recovered_amount
        from finance_daily
        where livemode = ${mode} and day between ${period.from}::date and ${period.to}::date
        group by currency, kind, settlement_currency`,
  );
  const byCurrency = new Map<string, CurrencyFigures>();
  const figuresOf = (currency: string) => {
    let figures = byCurrency.get(currency);
    if (!figures) {
      figures = {
        currency,
        grossMinor: 0,
        onceGrossMinor: 0,
        recurringGrossMinor: 0,
        payments: 0,
        oncePayments: 0,
        recurringPayments: 0,
        newGifts: 0,
        supporters: 0,
        refunds: 0,
        refundedMinor: 0,
        disputes: 0,
        disputedMinor: 0,
        disputesOpen: 0,
        disputesWon: 0,
        disputesLost: 0,
        unsettledPayments: 0,
        settlements: [],
        recurring: { ...ZERO_RECURRING },
        recovered: { payments: 0, amountMinor: 0 },
      };
      byCurrency.set(currency, figures);
    }

    return figures;
  };
  for (const row of daily) {
    const f = figuresOf(String(row.currency).trim());
    const payments = num(row.payments);
    const gross = num(row.gross);
    f.payments += payments;
    f.grossMinor += gross;
    if (row.kind === "once") {
      f.oncePayments += payments;
      f.onceGrossMinor += gross;
    } else {
      f.recurringPayments += payments;
      f.recurringGrossMinor += gross;
    }
    f.newGifts += num(row.first_payments);
    f.unsettledPayments += payments - num(row.settled);
    f.refunds += num(row.refunds);
    f.refundedMinor += num(row.refunded);
    f.disputes += num(row.disputes);
    f.disputedMinor += num(row.disputed);
    f.disputesOpen += num(row.open);
    f.disputesWon += num(row.won);
    f.disputesLost += num(row.lost);
    f.recovered.payments += num(row.recovered);
    f.recovered.amountMinor += num(row.recovered_amount);
    const settlementCurrency = String(row.settlement_currency);
    if (settlementCurrency === "") continue;
    let s = f.settlements.find((x) => x.settlementCurrency === settlementCurrency);
    if (!s) {
      s = { settlementCurrency, payments: 0, grossMinor: 0, feeMinor: 0, netMinor: 0, refundNetMinor: 0, refundFeeMinor: 0, disputeNetMinor: 0, disputeFeeMinor: 0, balanceNetMinor: 0 };
      f.settlements.push(s);
    }
    s.payments += num(row.settled);
    s.grossMinor += num(row.settlement_gross);
    s.feeMinor += num(row.fee);
    s.netMinor += num(row.net);
    s.refundNetMinor += num(row.refund_net);
    s.refundFeeMinor += num(row.refund_fee);
    s.disputeNetMinor += num(row.dispute_net);
    s.disputeFeeMinor += num(row.dispute_fee);
    s.balanceNetMinor = s.netMinor + s.refundNetMinor + s.disputeNetMinor;
  }

  for (const row of await distinctSupporters(period, [...byCurrency.keys()], db)) figuresOf(String(row.currency).trim()).supporters = num(row.supporters);

  for (const [currency, recurring] of await recurringFigures(period, db)) figuresOf(currency).recurring = recurring;

  return [...byCurrency.values()].sort((a, b) => b.grossMinor - a.grossMinor || a.currency.localeCompare(b.currency));
}

/**
 * Distinct supporters per currency: the period's supporter-days less the pairs of a supporter's
 * consecutive paying days both inside it (finance_supporter_days, finance_supporter_pairs). A pair
 * is inside when its first day is from the period's start on and its next day is by its end (so
 * its first day is too): the first month's days from the daily pairs, the later months from the
 * monthly ones. Only currencies with payments in the period can have supporters in it.
 */
async function distinctSupporters(period: Period, currencies: string[], db: Queryable) {
  if (currencies.length === 0) return [];
  const mode = reportingMode();
  const inCurrencies = sql.join(
    currencies.map((c) => sql`${c}`),
    sql`, `,
  );
  const startsMonth = period.from.endsWith("-01");
  const firstWholeMonth = startsMonth ? period.from : addMonths(period.from, 1);
  const endOfFirstMonth = addDays(addMonths(period.from, 1), -1);
  const dailyPairsTo = endOfFirstMonth < period.to ? endOfFirstMonth : period.to;
  const lastMonth = `${period.to.slice(0, 7)}-01`;
  const dailyPairs = startsMonth
    ? sql``
    : sql`union all
        select currency, -pairs from finance_supporter_pairs
        where livemode = ${mode} and currency in (${inCurrencies}) and grain = 'day'
          and first_period between ${period.from}::date and ${dailyPairsTo}::date and next_day <= ${period.to}::date`;

  return select<{ currency: string; supporters: unknown }>(
    db,
    sql`select currency, sum(n) supporters from (
          select currency, supporter_days n from finance_supporter_days
          where livemode = ${mode} and day between ${period.from}::date and ${period.to}::date and currency in (${inCurrencies})
          ${dailyPairs}
          union all
          select currency, -pairs from finance_supporter_pairs
          where livemode = ${mode} and currency in (${inCurrencies}) and grain = 'month'
            and first_period between ${firstWholeMonth}::date and ${lastMonth}::date and next_day <= ${period.to}::date
        ) as t group by currency`,
  );
}

async function recurringFigures(period: Period, db: Queryable): Promise<Map<string, RecurringFigures>> {
  const mode = reportingMode();
  const result = new Map<string, RecurringFigures>();
  const of = (currency: string) => {
    const key = currency.trim();
    if (!result.has(key)) result.set(key, { ...ZERO_RECURRING });

    return result.get(key)!;
  };
  const history = await select<Record<string, unknown>>(
    db,
    sql`select currency,
          sum(arr_delta_minor) filter (where day <= ${period.to}::date) arr,
          sum(started_count) filter (where day >= ${period.from}::date and day <= ${period.to}::date) started,
          sum(ended_cancelled_count) filter (where day >= ${period.from}::date and day <= ${period.to}::date) cancelled,
          sum(ended_failed_count) filter (where day >= ${period.from}::date and day <= ${period.to}::date) failed,
          sum(ended_other_count) filter (where day >= ${period.from}::date and day <= ${period.to}::date) other
        from finance_recurring_daily where livemode = ${mode} group by currency`,
  );
  for (const row of history) {
    const r = of(String(row.currency));
    r.arrMinor = num(row.arr);
    r.mrrMinor = Math.round(r.arrMinor / 12);
    r.started = num(row.started);
    r.endedBySupporter = num(row.cancelled);
    r.endedByFailedPayments = num(row.failed);
    r.endedOtherwise = num(row.other);
  }
  const now = await select<{ currency: string; status: string; gifts: unknown; arr: unknown }>(
    db,
    sql`select currency, status, sum(gifts_count) gifts, sum(arr_minor) arr from finance_recurring_now where livemode = ${mode} group by currency, status`,
  );
  for (const row of now) {
    const r = of(String(row.currency));
    const gifts = num(row.gifts);
    if (row.status === "active") r.active += gifts;
    if (row.status === "cancelling") {
      r.active += gifts;
      r.cancelling += gifts;
    }
    if (row.status === "paused") r.paused += gifts;
    if (row.status === "past_due") {
      r.pastDue += gifts;
      r.pastDueMrrMinor += Math.round(num(row.arr) / 12);
    }
  }

  return result;
}

export type SeriesPoint = {
  bucket: string;
  grossMinor: number;
  onceGrossMinor: number;
  recurringGrossMinor: number;
  mrrMinor: number;
  started: number;
  ended: number;
};

/**
 * The charts' series for one currency: revenue per day, week or month (by the period's length),
 * MRR at the end of each bucket, and recurring gifts started and ended in it.
 */
export async function periodSeries(actor: Actor, period: Period, currency: string, db: Queryable): Promise<{ bucket: "day" | "week" | "month"; points: SeriesPoint[] }> {
  await requireStaff(actor, "finance", db);
  const mode = reportingMode();
  const bucket = bucketFor(period);
  const unit = sql.raw(`'${bucket}'`);
  const rows = await select<Record<string, unknown>>(
    db,
    sql`with buckets as (
          select generate_series(date_trunc(${unit}, ${period.from}::date), ${period.to}::date, ${sql.raw(`interval '1 ${bucket}'`)})::date as bucket
        ), money as (
          select date_trunc(${unit}, day)::date bucket, sum(gross_minor) gross,
            sum(gross_minor) filter (where kind = 'once') once_gross, sum(gross_minor) filter (where kind = 'recurring') recurring_gross
          from finance_daily where livemode = ${mode} and currency = ${currency} and day between ${period.from}::date and ${period.to}::date group by 1
        ), recurring as (
          select date_trunc(${unit}, day)::date bucket, sum(started_count) started,
            sum(ended_cancelled_count + ended_failed_count + ended_other_count) ended, sum(arr_delta_minor) arr_delta
          from finance_recurring_daily where livemode = ${mode} and currency = ${currency} and day between ${period.from}::date and ${period.to}::date group by 1
        ), opening as (
          select coalesce(sum(arr_delta_minor), 0) arr from finance_recurring_daily where livemode = ${mode} and currency = ${currency} and day < ${period.from}::date
        )
        -- ARR at each bucket's end (or the period's): the ARR before the period, and the changes since, running.
        select b.bucket::text bucket, coalesce(m.gross, 0) gross, coalesce(m.once_gross, 0) once_gross, coalesce(m.recurring_gross, 0) recurring_gross,
          coalesce(r.started, 0) started, coalesce(r.ended, 0) ended,
          (select arr from opening) + sum(coalesce(r.arr_delta, 0)) over (order by b.bucket) arr
        from buckets b left join money m on m.bucket = b.bucket left join recurring r on r.bucket = b.bucket
        order by b.bucket`,
  );

  return {
    bucket,
    points: rows.map((row) => ({
      bucket: String(row.bucket),
      grossMinor: num(row.gross),
      onceGrossMinor: num(row.once_gross),
      recurringGrossMinor: num(row.recurring_gross),
      mrrMinor: Math.round(num(row.arr) / 12),
      started: num(row.started),
      ended: num(row.ended),
    })),
  };
}

export type ChurnMonth = { month: string; activeAtStart: number; ended: number; rate: number | null };

/** Monthly churn for one currency: gifts that ended in a month over those counted at its start. */
export async function monthlyChurn(actor: Actor, period: Period, currency: string, db: Queryable): Promise<ChurnMonth[]> {
  await requireStaff(actor, "finance", db);

  return churnFor(period, currency, db);
}

/** Monthly churn without the check: for callers that authorised otherwise (an API token). */
export async function churnFor(period: Period, currency: string, db: Queryable): Promise<ChurnMonth[]> {
  const mode = reportingMode();
  const rows = await select<{ month: string; active: unknown; ended: unknown }>(
    db,
    sql`with months as (
          select generate_series(date_trunc('month', ${period.from}::date), ${period.to}::date, interval '1 month')::date as month
        )
        select m.month::text as month,
          (select coalesce(sum(active_delta), 0) from finance_recurring_daily d where d.livemode = ${mode} and d.currency = ${currency} and d.day < m.month) active,
          (select coalesce(sum(ended_cancelled_count + ended_failed_count + ended_other_count), 0) from finance_recurring_daily d
            where d.livemode = ${mode} and d.currency = ${currency} and d.day >= m.month and d.day < (m.month + interval '1 month')) ended
        from months m order by m.month`,
  );

  return rows.map((row) => {
    const activeAtStart = num(row.active);
    const ended = num(row.ended);

    return { month: row.month, activeAtStart, ended, rate: activeAtStart > 0 ? ended / activeAtStart : null };
  });
}

export type Cohort = { startMonth: string; started: number; retained: Array<number | null> };

/**
 * Retention by start month for one currency, up to twelve cohorts ending with the period's month:
 * for each month since the start, the share still giving (null for months not yet reached).
 */
export async function cohortRetention(actor: Actor, period: Period, currency: string, db: Queryable): Promise<Cohort[]> {
  await requireStaff(actor, "finance", db);
  const mode = reportingMode();
  const lastMonth = `${period.to.slice(0, 7)}-01`;
  const firstMonth = addMonths(lastMonth, -11);
  const rows = await select<{ start_month: string; end_month: string; gifts: unknown }>(
    db,
    sql`select start_month::text start_month, end_month::text end_month, sum(gifts_count) gifts from finance_cohorts
        where livemode = ${mode} and currency = ${currency} and start_month between ${firstMonth}::date and ${lastMonth}::date
        group by 1, 2`,
  );
  const cohorts: Cohort[] = [];
  for (let start = firstMonth; start <= lastMonth; start = addMonths(start, 1)) {
    const mine = rows.filter((row) => row.start_month === start);
    const started = mine.reduce((sum, row) => sum + num(row.gifts), 0);
    if (started === 0) continue;
    const retained: Array<number | null> = [];
    for (let k = 0, month = start; k < 12; k++, month = addMonths(month, 1)) {
      if (month > lastMonth) {
        retained.push(null);
        continue;
      }
      // Still giving through month k: ended in a later month, or not at all ('infinity').
      const still = mine.filter((row) => row.end_month === "infinity" || row.end_month > month).reduce((sum, row) => sum + num(row.gifts), 0);
      retained.push(still / started);
    }
    cohorts.push({ startMonth: start, started, retained });
  }

  return cohorts;
}
