import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "@/db";
import { migratePostgresDatabase } from "@/db/migrate";
import { rebuildRollups, rollupDifferences } from "@/lib/finance/rollup-check";

/**
 * `npm run seed -- --payments N [--until YYYY-MM-DD] [--database-url URL] [--append] [--seed S]`:
 * a server database filled with a newsroom's three years of synthetic test-mode gifts, for the
 * finance benchmarks (scripts/bench-finance.ts) and for looking at /finance with real volumes.
 *
 * Every row is generated inside the server (generate_series, with hash-based pseudo-random draws
 * so the same arguments give the same rows), in batches, with the triggers off
 * (session_replication_role = replica: superuser only); the rollups are then rebuilt in bulk with
 * the recomputation lib/finance/rollup-check.ts checks them with, and checked.
 *
 * The shape: a third of the payments one-time, the rest renewals of recurring gifts (monthly
 * mostly, an eighth annual) with churn, pauses, failed renewals that recovered or ended the gift;
 * 70% eur, 20% usd (a third of it settled in eur), 10% gbp; fees of 1.4–3% plus a fixed part;
 * refunds ~1%, disputes ~0.1%; 4,000 articles in 5 sections with Zipf-like popularity; 4 campaigns
 * with 2 variants; one supporter per 8 payments; reminders; a daily payout per settlement currency.
 */

export type SeedOptions = {
  databaseUrl: string;
  payments: number;
  /** The last day with gifts (UTC), YYYY-MM-DD: the three years end at its end. */
  until: string;
  /** Add to a database that already has a ledger (new ids throughout). */
  append?: boolean;
  /** Changes every draw: another seed, another (equally shaped) ledger. */
  seed?: number;
  batch?: number;
  /** Compare every rollup with the ledger afterwards (the whole ledger is recomputed: minutes at 10M). */
  check?: boolean;
  log?: (line: string) => void;
};

export type SeedResult = {
  payments: number;
  oneTimePayments: number;
  recurringPayments: number;
  recurringGifts: number;
  supporters: number;
  refunds: number;
  disputes: number;
  paymentFailures: number;
  payouts: number;
  seconds: number;
  rollupDifferences: Awaited<ReturnType<typeof rollupDifferences>> | null;
};

const ARTICLES = 4000;
const SECTIONS = ["politics", "climate", "culture", "business", "local"];
const CAMPAIGNS = ["spring-drive", "year-end", "election", "newsletter"];

/** The end of the last full month before `today`, as its last day. */
export function lastFullMonthEnd(today: Date): string {
  const firstOfMonth = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1);

  return new Date(firstOfMonth - 24 * 3600 * 1000).toISOString().slice(0, 10);
}

const list = (values: Array<string | number>) => `(array[${values.map((v) => (typeof v === "number" ? String(v) : `'${v}'`)).join(", ")}])`;

export async function seed(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const print = options.log ?? ((line: string) => console.log(line));
  const log = (line: string) => print(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.until) || Number.isNaN(Date.parse(options.until))) throw new Error(`--until must be a day, YYYY-MM-DD: ${options.until}`);
  if (!Number.isSafeInteger(options.payments) || options.payments < 10) throw new Error("--payments must be an integer of at least 10");
  // A new database gets its tables here, as the app would give them at its first start.
  await migratePostgresDatabase(options.databaseUrl);
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {}, connection: { application_name: "readerfund-seed" } });
  const db = drizzle(sql) as unknown as Database;
  try {
    const [state] = await sql<[{ live: boolean; ledger: boolean; superuser: string }]>`
      select exists (select 1 from payments where livemode = 'live') or exists (select 1 from recurring_gifts where livemode = 'live') as live,
        exists (select 1 from payments) or exists (select 1 from recurring_gifts) or exists (select 1 from gifts) as ledger,
        current_setting('is_superuser') as superuser`;
    if (state!.live) throw new Error("This database has live payments: the seed never writes beside real money.");
    if (state!.ledger && !options.append) throw new Error("This database already has a ledger; pass --append to add to it.");
    if (state!.superuser !== "on") throw new Error("Seeding turns the triggers off (session_replication_role), which needs a superuser.");

    // A tag keeps an appended run's ids apart from the earlier ones'.
    const tag = options.append ? `a${Date.now().toString(36)}_` : "";
    const salt = (options.seed ?? 1) * 1000;
    const batch = options.batch ?? 250_000;
    const end = `'${options.until}'::date + 1`;
    const begin = `(${end} - interval '3 years')`;
    const span = `extract(epoch from (${end})::timestamptz - ${begin}::timestamptz)`;
    const supporters = Math.ceil(options.payments / 8);
    const targetRecurring = options.payments - Math.round(options.payments / 3);

    await sql.unsafe(`set session_replication_role = replica; set synchronous_commit = off; set work_mem = '256MB'; set maintenance_work_mem = '512MB'; set timezone = 'UTC'`);
    // u(n, k): the k-th uniform draw in [0, 1) for row n, the same on every run with the same seed.
    await sql.unsafe(`create or replace function pg_temp.u(n bigint, k int) returns float8 language sql immutable parallel safe as
      $$ select ((hashint8extended(n, ${salt} + k) >> 11) & 4503599627370495)::float8 / 4503599627370496.0 $$`);
    // Attribution for row n from draws k..k+4: Zipf-like article (P(k) ∝ 1/k), its section, a campaign and variant for half.
    await sql.unsafe(`create or replace function pg_temp.source(n bigint, k int, out article_url text, out section text, out campaign text, out variant text)
      language sql immutable as $$
        select case when pg_temp.u(n, k) < 0.85 then 'https://news.example.org/' || ${list(SECTIONS)}[1 + a % 5] || '/story-' || a end,
          case when pg_temp.u(n, k) < 0.85 then ${list(SECTIONS)}[1 + a % 5] end,
          case when pg_temp.u(n, k + 2) < 0.55 then ${list(CAMPAIGNS)}[1 + floor(pg_temp.u(n, k + 3) * 4)::int] end,
          case when pg_temp.u(n, k + 2) < 0.55 then case when pg_temp.u(n, k + 4) < 0.5 then 'a' else 'b' end end
        from (select least(${ARTICLES}, floor(exp(pg_temp.u(n, k + 1) * ln(${ARTICLES + 1})))::int) as a) x $$`);
    await sql.unsafe(`create or replace function pg_temp.currency(x float8) returns char(3) language sql immutable as
      $$ select case when x < 0.7 then 'eur' when x < 0.9 then 'usd' else 'gbp' end $$`);

    const step = async (label: string, from: number, to: number, run: (a: number, b: number) => Promise<unknown>, size = batch) => {
      for (let a = from; a <= to; a += size) {
        const b = Math.min(to, a + size - 1);
        const t0 = performance.now();
        await run(a, b);
        log(`  ${label} ${a.toLocaleString("en")}–${b.toLocaleString("en")} of ${to.toLocaleString("en")} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
    };

    await sql.unsafe("begin");
    // Plain indexes (not constraints) are dropped for the load and built again after it: one sort
    // each instead of millions of inserts into them.
    const bulkTables = ["supporters", "stripe_customers", "recurring_gifts", "payment_failures", "gifts", "payments", "refunds", "disputes", "reminders", "payouts", "payout_transactions"];
    const plainIndexes = await sql<Array<{ name: string; definition: string }>>`
      select i.indexname as name, i.indexdef as definition from pg_indexes i
      where i.schemaname = 'public' and i.tablename in ${sql(bulkTables)}
        and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`;
    for (const index of plainIndexes) await sql.unsafe(`drop index "${index.name}"`);

    log(`Seeding ${options.payments.toLocaleString("en")} payments, three years to ${options.until}, into ${new URL(options.databaseUrl).pathname.slice(1)}`);
    await step("supporters", 1, supporters, (a, b) =>
      sql.unsafe(`
        with s as (select n, md5('${tag}s' || n)::uuid as id, ${begin}::timestamptz + make_interval(secs => ${span} * pg_temp.u(n, 90)) as at from generate_series(${a}, ${b}) n),
        people as (
          insert into supporters (id, email, name, locale, created_at, updated_at)
          select id, 'seed-${tag}' || n || '@example.org', 'Supporter ' || n, (array['en', 'de', 'fr'])[1 + n % 3], at, at from s
        )
        insert into stripe_customers (id, supporter_id, livemode, created_at) select 'cus_seed_${tag}' || n, id, 'test', at from s`),
    );

    // The recurring gifts' plans: when each started, what it gives, how long it lives, how many
    // renewals it paid. Gifts are kept in number order until their payments reach the target.
    log("  planning recurring gifts…");
    const planSql = `
      create temp table plan as
      with draw as materialized (
        select k, ${begin}::timestamptz + make_interval(secs => ${span} * power(pg_temp.u(k, 1), 0.8)) as started_at,
          pg_temp.u(k, 2) < 0.12 as annual, pg_temp.u(k, 3) as ua, pg_temp.currency(pg_temp.u(k, 4)) as currency,
          greatest(pg_temp.u(k, 5), 1e-12) as ul, pg_temp.u(k, 6) as uend, pg_temp.u(k, 7) < 0.02 as incomplete, pg_temp.u(k, 8) as unow
        from generate_series(1, ${Math.ceil(targetRecurring / 4) + 100}) k
      ), sized as materialized (
        select *, case when annual then interval '1 year' else interval '1 month' end as step,
          case when annual then extract(year from age((${end})::timestamptz, started_at))::int + 1
            else (extract(year from age((${end})::timestamptz, started_at)) * 12 + extract(month from age((${end})::timestamptz, started_at)))::int + 1 end as available,
          1 + floor(ln(ul) / ln(case when annual then 0.7 else 0.965 end))::int as lives
        from draw
      ), fate as materialized (
        select *,
          case
            when incomplete then 'incomplete_expired'
            when lives < available and uend < 0.65 then 'ended_cancelled'
            when lives < available and started_at + lives * step + interval '21 days' < (${end})::timestamptz then 'ended_failed'
            when lives < available then 'past_due'
            when available >= 2 and unow < 0.05 then 'paused'
            when available >= 2 and unow < 0.08 then 'past_due'
            when unow < 0.11 then 'cancelling'
            else 'active' end as fate
        from sized
      ), paid as materialized (
        select *,
          case
            when fate = 'incomplete_expired' then 0
            when fate in ('ended_cancelled', 'ended_failed') then lives
            when fate = 'past_due' and lives < available then lives
            when fate = 'past_due' then available - 1
            when fate = 'paused' then greatest(1, available - 1 - floor(pg_temp.u(k, 9) * 3)::int)
            else available end as paid
        from fate
      )
      select *, sum(paid) over (order by k) - paid as base_n, 1 + floor(pg_temp.u(k, 10) * ${supporters})::bigint as supporter,
        case when annual then ${list([3000, 5000, 6000, 10000, 12000, 25000])}[1 + floor(ua * 6)::int]
          else ${list([300, 500, 500, 1000, 1000, 1000, 1500, 2000, 2500, 5000])}[1 + floor(ua * 10)::int] end as amount
      from paid`;
    await sql.unsafe(planSql);
    await sql.unsafe(`delete from plan where base_n + paid > ${targetRecurring}`);
    await sql.unsafe(`create index on plan (k); analyze plan`);
    const [planned] = await sql<[{ gifts: string; payments: string; last: string }]>`select count(*) gifts, coalesce(sum(paid), 0) payments, coalesce(max(k), 0) last from plan`;
    const recurringPayments = Number(planned!.payments);
    const oneTime = options.payments - recurringPayments;

    await step("recurring gifts", 1, Number(planned!.last), (a, b) =>
      sql.unsafe(`
        insert into recurring_gifts (id, supporter_id, stripe_subscription_id, stripe_customer_id, stripe_checkout_session_id, frequency, interval, interval_count,
          amount_minor, currency, status, status_reason, stripe_status, started_at, current_period_start, current_period_end, cancel_at, canceled_at, ended_at,
          paused_until, failed_payment_attempts, next_payment_attempt_at, livemode, article_url, section, campaign, variant, locale, stripe_synced_at, created_at, updated_at)
        select md5('${tag}r' || k)::uuid, md5('${tag}s' || supporter)::uuid, 'sub_seed_${tag}' || k, 'cus_seed_${tag}' || supporter, 'cs_seed_${tag}r' || k,
          case when annual then 'annual' else 'monthly' end::gift_frequency, case when annual then 'year' else 'month' end, 1, amount, currency,
          (case when fate like 'ended%' or fate = 'incomplete_expired' then 'ended' else fate end)::recurring_gift_status,
          case fate when 'ended_cancelled' then 'cancellation_requested' when 'cancelling' then 'cancellation_requested' when 'ended_failed' then 'payment_failed'
            when 'incomplete_expired' then 'incomplete_expired' end,
          case fate when 'ended_cancelled' then 'canceled' when 'ended_failed' then 'canceled' when 'incomplete_expired' then 'incomplete_expired'
            when 'cancelling' then 'active' else fate end,
          started_at, started_at + greatest(paid - 1, 0) * step, started_at + greatest(paid, 1) * step,
          case when fate = 'cancelling' then started_at + paid * step end,
          case when fate in ('cancelling', 'ended_cancelled') then started_at + greatest(paid - 1, 0) * step + interval '9 days' end,
          case fate when 'ended_cancelled' then started_at + paid * step when 'ended_failed' then started_at + paid * step + interval '21 days'
            when 'incomplete_expired' then started_at + interval '23 hours' end,
          case when fate = 'paused' then (${end})::timestamptz + interval '1 month' end,
          case when fate = 'past_due' then least(4, 1 + floor(extract(epoch from (${end})::timestamptz - (started_at + paid * step)) / (5 * 86400))::int) else 0 end,
          case when fate = 'past_due' then (${end})::timestamptz + interval '2 days' end,
          'test', s.article_url, s.section, s.campaign, s.variant, 'en', (${end})::timestamptz, started_at, started_at
        from plan, pg_temp.source(k, 20) s where k between ${a} and ${b}`),
    );
    await sql.unsafe(`
      insert into payment_failures (recurring_gift_id, stripe_invoice_id, attempt_count, kind, amount_minor, currency, next_payment_attempt_at, failed_at, recorded_at)
      select md5('${tag}r' || k)::uuid, 'in_seed_${tag}' || k || '_' || paid, attempt, case when pg_temp.u(k, 11) < 0.1 then 'authentication_required' else 'declined' end,
        amount, currency, started_at + paid * step + attempt * interval '5 days', started_at + paid * step + (attempt - 1) * interval '5 days',
        started_at + paid * step + (attempt - 1) * interval '5 days'
      from plan, generate_series(1, 4) attempt
      where fate in ('ended_failed', 'past_due') and started_at + paid * step + (attempt - 1) * interval '5 days' < (${end})::timestamptz`);

    // A payment's money: settled in its own currency (a third of usd in eur), a percentage fee plus
    // a fixed one; some of the last day's not yet settled.
    const money = (n: string, amount: string, currency: string, paidAt: string) => `
      case when ${paidAt} > (${end})::timestamptz - interval '1 day' and pg_temp.u(${n}, 53) < 0.5 then null
        when ${currency} = 'usd' and pg_temp.u(${n}, 50) < 0.33 then 'eur' else ${currency} end as settlement_currency,
      case when ${currency} = 'usd' and pg_temp.u(${n}, 50) < 0.33 then 0.92 end as exchange_rate,
      round(${amount} * case when ${currency} = 'usd' and pg_temp.u(${n}, 50) < 0.33 then 0.92 else 1 end)::bigint as settled,
      (round(${amount} * case when ${currency} = 'usd' and pg_temp.u(${n}, 50) < 0.33 then 0.92 else 1 end * (0.014 + 0.016 * pg_temp.u(${n}, 51)))
        + case when ${currency} = 'gbp' then 20 else 25 end)::bigint as fee`;
    const insertPayments = (source: string) => `
      insert into payments (id, gift_id, recurring_gift_id, supporter_id, stripe_payment_intent_id, stripe_charge_id, stripe_balance_transaction_id, stripe_invoice_id,
        billing_reason, period_start, period_end, amount_minor, currency, settlement_amount_minor, fee_minor, net_minor, settlement_currency, exchange_rate,
        livemode, paid_at, recorded_at)
      select md5('${tag}p' || n)::uuid, gift_id, recurring_gift_id, md5('${tag}s' || supporter)::uuid, 'pi_seed_${tag}' || n, 'ch_seed_${tag}' || n,
        case when m.settlement_currency is not null then 'txn_seed_${tag}' || n end, invoice, billing_reason, period_start, period_end, amount, currency,
        case when m.settlement_currency is not null then m.settled end, case when m.settlement_currency is not null then m.fee end,
        case when m.settlement_currency is not null then m.settled - m.fee end, m.settlement_currency,
        case when m.settlement_currency is not null then m.exchange_rate end, 'test', paid_at, paid_at
      from (${source}) src, lateral (select ${money("src.n", "src.amount", "src.currency", "src.paid_at")}) m`;

    // Renewal i of gift k is payment base_n + i + 1; 4% of renewals failed once and were paid three days late.
    await step("recurring payments (by gift)", 1, Number(planned!.last), (a, b) =>
      sql.unsafe(`
        with renewals as (
          select p.*, i, p.base_n + i + 1 as n, p.started_at + i * p.step as due,
            i > 0 and pg_temp.u(p.base_n + i + 1, 40) < 0.04 and p.started_at + i * p.step + interval '3 days' < (${end})::timestamptz as late
          from plan p, generate_series(0, p.paid - 1) i where p.k between ${a} and ${b}
        ), failures as (
          insert into payment_failures (recurring_gift_id, stripe_invoice_id, attempt_count, kind, amount_minor, currency, next_payment_attempt_at, failed_at, recorded_at)
          select md5('${tag}r' || k)::uuid, 'in_seed_${tag}' || k || '_' || i, 1, 'declined', amount, currency, due + interval '3 days', due, due from renewals where late
        )
        ${insertPayments(`select n, null::uuid gift_id, md5('${tag}r' || k)::uuid recurring_gift_id, supporter, 'in_seed_${tag}' || k || '_' || i invoice,
          case when i = 0 then 'subscription_create' else 'subscription_cycle' end billing_reason, due period_start, due + step period_end, amount, currency,
          case when late then due + interval '3 days' else due end paid_at from renewals`)}`),
      // About `batch` payments a round.
      Math.max(1, Math.round((batch * Number(planned!.last)) / Math.max(1, recurringPayments))),
    );

    // One-time gift j is payment recurringPayments + j.
    const onceSource = (a: number, b: number) => `
      select j, ${recurringPayments} + j as n, 1 + floor(pg_temp.u(j, 30) * ${supporters})::bigint as supporter,
        ${list([500, 1000, 1000, 2000, 2500, 3000, 5000, 5000, 10000, 20000])}[1 + floor(pg_temp.u(j, 31) * 10)::int] as amount,
        pg_temp.currency(pg_temp.u(j, 32)) as currency, ${begin}::timestamptz + make_interval(secs => ${span} * power(pg_temp.u(j, 33), 0.8)) as paid_at
      from generate_series(${a}, ${b}) j`;
    await step("one-time gifts and payments", 1, oneTime, (a, b) =>
      sql.unsafe(`
        with once as (${onceSource(a, b)}), gifts_in as (
          insert into gifts (id, supporter_id, stripe_checkout_session_id, stripe_customer_id, frequency, amount_minor, currency, livemode,
            article_url, section, campaign, variant, locale, given_at, recorded_at)
          select md5('${tag}g' || j)::uuid, md5('${tag}s' || supporter)::uuid, 'cs_seed_${tag}' || j, 'cus_seed_${tag}' || supporter, 'once', amount, currency, 'test',
            s.article_url, s.section, s.campaign, s.variant, 'en', paid_at, paid_at
          from once, pg_temp.source(j, 60) s
        )
        ${insertPayments(`select n, md5('${tag}g' || j)::uuid gift_id, null::uuid recurring_gift_id, supporter, null invoice, null billing_reason,
          null::timestamptz period_start, null::timestamptz period_end, amount, currency, paid_at from once`)}`),
    );

    // Refunds (~1%, a sixth partial, a few pending or failed) and disputes (~0.1%) of settled payments.
    log("  refunds and disputes…");
    await sql.unsafe(`
      insert into refunds (id, payment_id, stripe_refund_id, stripe_charge_id, amount_minor, currency, status, reason, stripe_balance_transaction_id,
        settlement_amount_minor, fee_minor, net_minor, settlement_currency, refunded_at, stripe_synced_at, recorded_at)
      select md5('${tag}re' || p.stripe_charge_id)::uuid, p.id, 're_' || substr(p.stripe_charge_id, 4), p.stripe_charge_id, x.amount, p.currency, x.status,
        (array['requested_by_customer', 'requested_by_customer', 'duplicate', 'fraudulent'])[1 + floor(pg_temp.u(h, 72) * 4)::int],
        case when x.status <> 'failed' then 'txn_' || substr(p.stripe_charge_id, 4) || '_re' end,
        case when x.status <> 'failed' then -round(p.settlement_amount_minor::numeric * x.amount / p.amount_minor)::bigint end,
        case when x.status <> 'failed' then 0 end,
        case when x.status <> 'failed' then -round(p.settlement_amount_minor::numeric * x.amount / p.amount_minor)::bigint end,
        case when x.status <> 'failed' then p.settlement_currency end, x.at, x.at, x.at
      from payments p, lateral (select hashtextextended(p.stripe_charge_id, 0) as h) hh,
        lateral (select case when pg_temp.u(h, 71) < 0.17 then round(p.amount_minor / 2.0)::bigint else p.amount_minor end as amount,
          case when pg_temp.u(h, 73) < 0.02 then 'failed' when pg_temp.u(h, 73) < 0.03 then 'pending' else 'succeeded' end as status,
          least(p.paid_at + make_interval(secs => 86400 * (1 + 20 * pg_temp.u(h, 74))), (${end})::timestamptz - interval '1 second') as at) x
      where p.stripe_charge_id like 'ch_seed_${tag}%' and p.fee_minor is not null and pg_temp.u(h, 70) < 0.01`);
    await sql.unsafe(`
      insert into disputes (id, payment_id, stripe_dispute_id, stripe_charge_id, amount_minor, currency, status, reason, evidence_due_by,
        settlement_amount_minor, fee_minor, net_minor, settlement_currency, opened_at, stripe_synced_at, recorded_at)
      select md5('${tag}du' || p.stripe_charge_id)::uuid, p.id, 'du_' || substr(p.stripe_charge_id, 4), p.stripe_charge_id, p.amount_minor, p.currency, x.status,
        (array['fraudulent', 'product_not_received', 'subscription_canceled', 'unrecognized'])[1 + floor(pg_temp.u(h, 82) * 4)::int],
        x.at + interval '21 days',
        case when x.status in ('won', 'warning_closed') then 0 else -p.settlement_amount_minor end,
        case when x.status = 'warning_closed' then 0 else 1500 end,
        case x.status when 'warning_closed' then 0 when 'won' then -1500 else -p.settlement_amount_minor - 1500 end,
        p.settlement_currency, x.at, x.at, x.at
      from payments p, lateral (select hashtextextended(p.stripe_charge_id, 0) as h) hh,
        lateral (select least(p.paid_at + make_interval(secs => 86400 * (7 + 50 * pg_temp.u(h, 81))), (${end})::timestamptz - interval '1 second') as at) a,
        lateral (select a.at,
          case when a.at < (${end})::timestamptz - interval '75 days' then
              case when pg_temp.u(h, 83) < 0.55 then 'lost' when pg_temp.u(h, 83) < 0.95 then 'won' else 'warning_closed' end
            when pg_temp.u(h, 83) < 0.5 then 'needs_response' else 'under_review' end as status) x
      where p.stripe_charge_id like 'ch_seed_${tag}%' and p.fee_minor is not null and pg_temp.u(h, 80) < 0.001`);

    // "Remind me later": one reminder for every 40 payments, a tenth of those with an email given before it fell due.
    log("  reminders…");
    await sql.unsafe(`
      insert into reminders (visitor_id, email, email_given, choice, locale, due_at, status, frequency, amount_minor, currency, article_url, section, campaign, variant,
        created_at, sent_at, gave_at)
      select 'v_seed_${tag}' || n, case when x.status = 'scheduled' and x.email_given then 'seed-${tag}r' || n || '@example.org' end, x.email_given, x.choice, 'en',
        x.due, x.status::reminder_status, 'once', 1000, pg_temp.currency(pg_temp.u(n, 95)), s.article_url, s.section, s.campaign, s.variant, x.created,
        case when x.status = 'sent' then x.due end,
        case when x.status = 'gave' then x.created + interval '3 days' when x.status = 'sent' and pg_temp.u(n, 96) < 0.08 then x.due + interval '2 days' end
      from generate_series(1, ${Math.ceil(options.payments / 40)}) n, pg_temp.source(n, 100) s,
        lateral (select ${begin}::timestamptz + make_interval(secs => ${span} * power(pg_temp.u(n, 91), 0.8)) as created, pg_temp.u(n, 92) < 0.6 as email_given,
          case when pg_temp.u(n, 93) < 0.7 then 'month' else 'three_months' end as choice) c,
        lateral (select c.created, c.email_given, c.choice, c.created + case when c.choice = 'month' then interval '1 month' else interval '3 months' end as due) d,
        lateral (select d.*, case
          when pg_temp.u(n, 94) < 0.1 and d.created + interval '3 days' < (${end})::timestamptz then 'gave'
          when d.due >= (${end})::timestamptz then 'scheduled'
          when d.email_given and pg_temp.u(n, 94) < 0.15 then 'cancelled'
          when d.email_given then 'sent' else 'hidden' end as status) x`);

    // A daily automatic payout per settlement currency of that day's balance transactions (net
    // positive days only); Stripe lists what a payout carried once it is paid.
    log("  payouts…");
    await sql.unsafe(`
      create temp table lines as
      select settlement_currency as currency, (paid_at at time zone 'UTC')::date as day, stripe_balance_transaction_id as txn, 'charge' as type, 'charge' as category,
        stripe_charge_id as source, settlement_amount_minor as amount, fee_minor as fee, net_minor as net, paid_at as at, id as payment_id, null::uuid as refund_id, null::uuid as dispute_id
      from payments where stripe_charge_id like 'ch_seed_${tag}%' and settlement_currency is not null
      union all
      select settlement_currency, (refunded_at at time zone 'UTC')::date, stripe_balance_transaction_id, 'refund', 'refund', stripe_refund_id,
        settlement_amount_minor, fee_minor, net_minor, refunded_at, null, id, null
      from refunds where stripe_refund_id like 're_seed_${tag}%' and stripe_balance_transaction_id is not null
      union all
      select settlement_currency, (opened_at at time zone 'UTC')::date, 'txn_' || stripe_dispute_id, 'adjustment', 'dispute', stripe_dispute_id,
        settlement_amount_minor, fee_minor, net_minor, opened_at, null, null, id
      from disputes where stripe_dispute_id like 'du_seed_${tag}%' and status <> 'warning_closed'`);
    await sql.unsafe(`
      insert into payouts (id, stripe_payout_id, amount_minor, currency, status, arrival_date, created_at_stripe, automatic, livemode, stripe_balance_transaction_id,
        reconciled_at, stripe_synced_at, recorded_at)
      select md5('${tag}po' || currency || day)::uuid, 'po_seed_${tag}' || currency || '_' || to_char(day, 'YYYYMMDD'), sum(net), currency,
        case when day + 2 < '${options.until}'::date then 'paid' else 'in_transit' end, day + 2, day + 1, true, 'test',
        'txn_seed_${tag}po_' || currency || '_' || to_char(day, 'YYYYMMDD'),
        case when day + 2 < '${options.until}'::date then (day + 3)::timestamptz end, least(day + 3, ${end})::timestamptz, least(day + 3, ${end})::timestamptz
      from lines group by currency, day having sum(net) > 0`);
    await sql.unsafe(`
      insert into payout_transactions (payout_id, stripe_balance_transaction_id, type, reporting_category, source_id, amount_minor, fee_minor, net_minor, currency,
        created_at_stripe, payment_id, refund_id, dispute_id)
      select o.id, l.txn, l.type, l.category, l.source, l.amount, l.fee, l.net, l.currency, l.at, l.payment_id, l.refund_id, l.dispute_id
      from lines l join payouts o on o.id = md5('${tag}po' || l.currency || l.day)::uuid where o.status = 'paid'
      union all
      select o.id, o.stripe_balance_transaction_id, 'payout', null, o.stripe_payout_id, -o.amount_minor, 0, -o.amount_minor, o.currency, o.created_at_stripe, null, null, null
      from payouts o where o.stripe_payout_id like 'po_seed_${tag}%' and o.status = 'paid'`);

    const t1 = performance.now();
    for (const index of plainIndexes) await sql.unsafe(index.definition);
    log(`  ${plainIndexes.length} indexes built again (${((performance.now() - t1) / 1000).toFixed(1)} s)`);
    await sql.unsafe(`set session_replication_role = origin`);
    let t0 = performance.now();
    log("  rebuilding the rollups from the ledger…");
    await rebuildRollups(db, (table) => log(`    ${table} (${((performance.now() - t0) / 1000).toFixed(1)} s)`));
    // One transaction from the dropped indexes to the rollups: a seed that fails leaves nothing behind.
    await sql.unsafe("commit");
    t0 = performance.now();
    await sql.unsafe(`analyze`);
    log(`  analyze (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

    const [counts] = await sql<[Record<string, string>]>`
      select (select count(*) from payments) payments, (select count(*) from payments where gift_id is not null) once,
        (select count(*) from recurring_gifts) recurring_gifts, (select count(*) from supporters) supporters, (select count(*) from refunds) refunds,
        (select count(*) from disputes) disputes, (select count(*) from payment_failures) failures, (select count(*) from payouts) payouts`;
    let differences: SeedResult["rollupDifferences"] = null;
    if (options.check ?? true) {
      t0 = performance.now();
      differences = await rollupDifferences(db, { limit: 20 });
      log(
        `  rollupDifferences: ${differences.length === 0 ? "none, every rollup equals its recomputation from the ledger" : JSON.stringify(differences, null, 2)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
    }
    const result: SeedResult = {
      payments: Number(counts!.payments),
      oneTimePayments: Number(counts!.once),
      recurringPayments: Number(counts!.payments) - Number(counts!.once),
      recurringGifts: Number(counts!.recurring_gifts),
      supporters: Number(counts!.supporters),
      refunds: Number(counts!.refunds),
      disputes: Number(counts!.disputes),
      paymentFailures: Number(counts!.failures),
      payouts: Number(counts!.payouts),
      seconds: (performance.now() - started) / 1000,
      rollupDifferences: differences,
    };

    return result;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      payments: { type: "string" },
      until: { type: "string" },
      "database-url": { type: "string" },
      append: { type: "boolean", default: false },
      seed: { type: "string", default: "1" },
      "no-check": { type: "boolean", default: false },
    },
  });
  const databaseUrl = values["database-url"] ?? process.env.DATABASE_URL;
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    console.error("The seed writes to a PostgreSQL server: pass --database-url postgres://… or set DATABASE_URL (the embedded database is not for millions of rows).");
    process.exit(2);
  }
  if (!values.payments) {
    console.error("Usage: npm run seed -- --payments N [--until YYYY-MM-DD] [--database-url URL] [--append] [--seed S] [--no-check]");
    process.exit(2);
  }
  const result = await seed({
    databaseUrl,
    payments: Number(values.payments),
    until: values.until ?? lastFullMonthEnd(new Date()),
    append: values.append,
    seed: Number(values.seed),
    check: !values["no-check"],
  });
  const { rollupDifferences: differences, ...counts } = result;
  console.log(JSON.stringify(counts));
  process.exit(differences && differences.length > 0 ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
