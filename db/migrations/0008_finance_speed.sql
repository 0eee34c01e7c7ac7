-- The rest of /finance onto rollups kept in the writing transaction (docs/finance.md): distinct
-- supporters and recovered renewals, attribution one row per dimension, each payout's reconciliation
-- as counts, and the reminders' funnel. Every new rollup is backfilled from the ledger below; writers
-- of the facts wait for this migration, since a fact written while a backfill reads would be counted
-- by neither it nor the new triggers.
LOCK TABLE "payments", "payment_failures", "refunds", "disputes", "gifts", "recurring_gifts", "reminders", "payouts", "payout_transactions" IN SHARE MODE;
--> statement-breakpoint
-- Distinct supporters and failed renewals recovered.
ALTER TABLE "finance_daily" ADD COLUMN "recovered_count" bigint DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "finance_daily" ADD COLUMN "recovered_minor" bigint DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TABLE "finance_supporter_days" (
	"livemode" text NOT NULL,
	"day" date NOT NULL,
	"currency" char(3) NOT NULL,
	"supporter_days" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_supporter_days_livemode_day_currency_pk" PRIMARY KEY("livemode","day","currency")
);
--> statement-breakpoint
CREATE TABLE "finance_supporter_pairs" (
	"livemode" text NOT NULL,
	"currency" char(3) NOT NULL,
	"grain" text NOT NULL,
	"first_period" date NOT NULL,
	"next_day" date NOT NULL,
	"pairs" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_supporter_pairs_livemode_currency_grain_first_period_next_day_pk" PRIMARY KEY("livemode","currency","grain","first_period","next_day")
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION finance_daily_add(p_livemode text, p_at timestamptz, p_currency char(3), p_kind text, p_settlement text, d finance_daily)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finance_daily AS f (livemode, day, currency, kind, settlement_currency,
    payments_count, first_payments_count, gross_minor, settled_count, settlement_gross_minor, fee_minor, net_minor,
    refunds_count, refunded_minor, refund_fee_minor, refund_net_minor,
    disputes_count, disputed_minor, disputes_open_count, disputes_won_count, disputes_lost_count, dispute_fee_minor, dispute_net_minor,
    recovered_count, recovered_minor)
  VALUES (p_livemode, (p_at AT TIME ZONE 'UTC')::date, p_currency, p_kind, coalesce(p_settlement, ''),
    coalesce(d.payments_count, 0), coalesce(d.first_payments_count, 0), coalesce(d.gross_minor, 0), coalesce(d.settled_count, 0),
    coalesce(d.settlement_gross_minor, 0), coalesce(d.fee_minor, 0), coalesce(d.net_minor, 0),
    coalesce(d.refunds_count, 0), coalesce(d.refunded_minor, 0), coalesce(d.refund_fee_minor, 0), coalesce(d.refund_net_minor, 0),
    coalesce(d.disputes_count, 0), coalesce(d.disputed_minor, 0), coalesce(d.disputes_open_count, 0), coalesce(d.disputes_won_count, 0),
    coalesce(d.disputes_lost_count, 0), coalesce(d.dispute_fee_minor, 0), coalesce(d.dispute_net_minor, 0),
    coalesce(d.recovered_count, 0), coalesce(d.recovered_minor, 0))
  ON CONFLICT (livemode, day, currency, kind, settlement_currency) DO UPDATE SET
    payments_count = f.payments_count + excluded.payments_count,
    first_payments_count = f.first_payments_count + excluded.first_payments_count,
    gross_minor = f.gross_minor + excluded.gross_minor,
    settled_count = f.settled_count + excluded.settled_count,
    settlement_gross_minor = f.settlement_gross_minor + excluded.settlement_gross_minor,
    fee_minor = f.fee_minor + excluded.fee_minor,
    net_minor = f.net_minor + excluded.net_minor,
    refunds_count = f.refunds_count + excluded.refunds_count,
    refunded_minor = f.refunded_minor + excluded.refunded_minor,
    refund_fee_minor = f.refund_fee_minor + excluded.refund_fee_minor,
    refund_net_minor = f.refund_net_minor + excluded.refund_net_minor,
    disputes_count = f.disputes_count + excluded.disputes_count,
    disputed_minor = f.disputed_minor + excluded.disputed_minor,
    disputes_open_count = f.disputes_open_count + excluded.disputes_open_count,
    disputes_won_count = f.disputes_won_count + excluded.disputes_won_count,
    disputes_lost_count = f.disputes_lost_count + excluded.disputes_lost_count,
    dispute_fee_minor = f.dispute_fee_minor + excluded.dispute_fee_minor,
    dispute_net_minor = f.dispute_net_minor + excluded.dispute_net_minor,
    recovered_count = f.recovered_count + excluded.recovered_count,
    recovered_minor = f.recovered_minor + excluded.recovered_minor;
END $$;
--> statement-breakpoint
-- Per-key advisory locks, taken in one order (by the lock's own key, so two texts with one hash
-- cannot invert it) and before any rollup row: 727003 an invoice, 727004 a supporter, in that order.
CREATE FUNCTION finance_lock_keys(p_class int, p_keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  k int;
BEGIN
  FOR k IN SELECT DISTINCT hashtext(x) FROM unnest(p_keys) AS x WHERE x IS NOT NULL ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(p_class, k);
  END LOOP;
END $$;
--> statement-breakpoint
-- A renewal is recovered when its invoice also has a failed attempt (payment_failures), whichever
-- of the two was recorded first: counted on the payment's day, with its other daily figures.
CREATE OR REPLACE FUNCTION finance_payment_apply(p payments, sign int, part text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  d finance_daily;
  s record;
  first int := CASE WHEN p.recurring_gift_id IS NULL OR p.billing_reason = 'subscription_create' THEN 1 ELSE 0 END;
  recovered int;
BEGIN
  d.payments_count := sign;
  d.first_payments_count := sign * first;
  d.gross_minor := sign * p.amount_minor;
  d.settled_count := sign * (CASE WHEN p.fee_minor IS NULL THEN 0 ELSE 1 END);
  d.settlement_gross_minor := sign * coalesce(p.settlement_amount_minor, 0);
  d.fee_minor := sign * coalesce(p.fee_minor, 0);
  d.net_minor := sign * coalesce(p.net_minor, 0);
  IF part = 'daily' THEN
    recovered := CASE WHEN p.stripe_invoice_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM payment_failures f WHERE f.stripe_invoice_id = p.stripe_invoice_id) THEN 1 ELSE 0 END;
    d.recovered_count := sign * recovered;
    d.recovered_minor := sign * recovered * p.amount_minor;
    PERFORM finance_daily_add(p.livemode, p.paid_at, p.currency, CASE WHEN p.recurring_gift_id IS NULL THEN 'once' ELSE 'recurring' END, p.settlement_currency, d);
    RETURN;
  END IF;
  s := finance_payment_source(p);
  PERFORM finance_attribution_add(p.livemode, p.paid_at, p.currency, s.article, s.section, s.campaign, s.variant,
    sign, sign * (CASE WHEN p.recurring_gift_id IS NULL THEN 1 ELSE 0 END), sign * p.amount_minor, 0, 0, 0, 0);
END $$;
--> statement-breakpoint
-- The invoice lock makes a payment and a failure of one invoice, written at once, see each other in
-- exactly one of the two transactions (each writes its row, then locks, then reads). The supporter
-- lock does the same for two payments of one supporter (finance_payments_supporters_trigger, which
-- runs after this one, at the statement's end). Both before any rollup row.
CREATE OR REPLACE FUNCTION finance_payments_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  money_moved boolean := true;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM finance_lock_keys(727003, ARRAY[NEW.stripe_invoice_id]);
    PERFORM finance_lock_keys(727004, ARRAY[NEW.supporter_id::text]);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM finance_lock_keys(727003, ARRAY[OLD.stripe_invoice_id]);
    PERFORM finance_lock_keys(727004, ARRAY[OLD.supporter_id::text]);
  ELSE
    PERFORM finance_lock_keys(727003, ARRAY[OLD.stripe_invoice_id, NEW.stripe_invoice_id]);
    PERFORM finance_lock_keys(727004, ARRAY[OLD.supporter_id::text, NEW.supporter_id::text]);
    -- A supporter set or erased moves no money: the daily and attribution rows are left alone.
    money_moved := (OLD.amount_minor, OLD.currency, OLD.paid_at, OLD.livemode, OLD.gift_id, OLD.recurring_gift_id, OLD.billing_reason, OLD.settlement_currency,
        OLD.settlement_amount_minor, OLD.fee_minor, OLD.net_minor, OLD.stripe_invoice_id)
      IS DISTINCT FROM (NEW.amount_minor, NEW.currency, NEW.paid_at, NEW.livemode, NEW.gift_id, NEW.recurring_gift_id, NEW.billing_reason, NEW.settlement_currency,
        NEW.settlement_amount_minor, NEW.fee_minor, NEW.net_minor, NEW.stripe_invoice_id);
  END IF;
  IF NOT money_moved THEN RETURN NULL; END IF;
  -- Every daily row before any attribution row, whichever way the change moves the fact.
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_payment_apply(OLD, -1, 'daily'); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_payment_apply(NEW, 1, 'daily'); END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_payment_apply(OLD, -1, 'attribution'); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_payment_apply(NEW, 1, 'attribution'); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER finance_payments_update ON payments;
--> statement-breakpoint
CREATE TRIGGER finance_payments_update AFTER UPDATE ON payments FOR EACH ROW
  WHEN ((OLD.amount_minor, OLD.currency, OLD.paid_at, OLD.livemode, OLD.gift_id, OLD.recurring_gift_id, OLD.billing_reason, OLD.settlement_currency, OLD.settlement_amount_minor, OLD.fee_minor, OLD.net_minor,
      OLD.stripe_invoice_id, OLD.supporter_id)
    IS DISTINCT FROM (NEW.amount_minor, NEW.currency, NEW.paid_at, NEW.livemode, NEW.gift_id, NEW.recurring_gift_id, NEW.billing_reason, NEW.settlement_currency, NEW.settlement_amount_minor, NEW.fee_minor, NEW.net_minor,
      NEW.stripe_invoice_id, NEW.supporter_id))
  EXECUTE FUNCTION finance_payments_trigger();
--> statement-breakpoint
-- Distinct supporters: per (mode, currency, supporter) the UTC days they paid, sorted. A period
-- holds a supporter iff it holds one of their days, so the period's distinct supporters are its
-- supporter-days less the pairs of a supporter's consecutive paying days both inside it.
-- A statement's payments (removed: the old rows, added: the new ones) change the day lists of the
-- supporters they name; each list is read before and after the statement and only the difference
-- is written. Per statement, not per row: one statement can write several payments of one
-- supporter (a bulk copy), and a row trigger would see the others already there.
CREATE FUNCTION finance_supporter_changes(removed payments[], added payments[])
RETURNS TABLE (livemode text, currency char(3), grain text, first_period date, next_day date, n bigint) LANGUAGE sql STABLE AS $$
  WITH r AS (
    SELECT x.livemode, x.currency, x.supporter_id, (x.paid_at AT TIME ZONE 'UTC')::date AS day FROM unnest(removed) AS x WHERE x.supporter_id IS NOT NULL
  ), k AS (
    SELECT DISTINCT x.livemode, x.currency, x.supporter_id FROM unnest(removed || added) AS x WHERE x.supporter_id IS NOT NULL
  ), now_rows AS (
    SELECT p.id, p.livemode, p.currency, p.supporter_id, (p.paid_at AT TIME ZONE 'UTC')::date AS day
    FROM k JOIN payments p ON p.supporter_id = k.supporter_id AND p.currency = k.currency AND p.livemode = k.livemode
  ), lists AS (
    SELECT 1 AS side, livemode, currency, supporter_id, day FROM now_rows
    UNION
    SELECT -1, livemode, currency, supporter_id, day FROM (
      SELECT livemode, currency, supporter_id, day FROM now_rows WHERE id NOT IN (SELECT x.id FROM unnest(added) AS x)
      UNION ALL
      SELECT livemode, currency, supporter_id, day FROM r
    ) AS before_rows
  ), pairs AS (
    SELECT side, livemode, currency, day, lead(day) OVER (PARTITION BY side, livemode, currency, supporter_id ORDER BY day) AS next_day FROM lists
  )
  SELECT livemode, currency, NULL, day, NULL, sum(side) FROM lists GROUP BY livemode, currency, day HAVING sum(side) <> 0
  UNION ALL
  SELECT livemode, currency, g.grain, date_trunc(g.grain, day)::date, next_day, sum(side)
  FROM pairs CROSS JOIN (VALUES ('day'), ('month')) AS g(grain)
  WHERE next_day IS NOT NULL
  GROUP BY livemode, currency, g.grain, date_trunc(g.grain, day)::date, next_day HAVING sum(side) <> 0
$$;
--> statement-breakpoint
CREATE FUNCTION finance_supporters_apply(removed payments[], added payments[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM unnest(removed || added) AS x WHERE x.supporter_id IS NOT NULL) THEN RETURN; END IF;
  -- Already held since the row trigger ran; taken here too so that no writer reads a list unlocked.
  PERFORM finance_lock_keys(727004, ARRAY(SELECT x.supporter_id::text FROM unnest(removed || added) AS x));
  -- Rows in key order, days before pairs: two writers cannot take them in opposite orders.
  INSERT INTO finance_supporter_days AS f (livemode, day, currency, supporter_days)
  SELECT c.livemode, c.first_period, c.currency, c.n FROM finance_supporter_changes(removed, added) AS c WHERE c.grain IS NULL ORDER BY 1, 2, 3
  ON CONFLICT (livemode, day, currency) DO UPDATE SET supporter_days = f.supporter_days + excluded.supporter_days;
  INSERT INTO finance_supporter_pairs AS f (livemode, currency, grain, first_period, next_day, pairs)
  SELECT c.livemode, c.currency, c.grain, c.first_period, c.next_day, c.n FROM finance_supporter_changes(removed, added) AS c WHERE c.grain IS NOT NULL ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (livemode, currency, grain, first_period, next_day) DO UPDATE SET pairs = f.pairs + excluded.pairs;
END $$;
--> statement-breakpoint
-- An update counts only where it moved a payment between supporters, days, currencies or modes.
CREATE FUNCTION finance_payments_supporters_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed payments[];
  added payments[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(n) INTO added FROM new_payments AS n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(o) INTO removed FROM old_payments AS o;
  ELSE
    SELECT array_agg(o), array_agg(n) INTO removed, added
    FROM old_payments AS o JOIN new_payments AS n ON n.id = o.id
    WHERE (o.supporter_id, (o.paid_at AT TIME ZONE 'UTC')::date, o.currency, o.livemode)
      IS DISTINCT FROM (n.supporter_id, (n.paid_at AT TIME ZONE 'UTC')::date, n.currency, n.livemode);
  END IF;
  PERFORM finance_supporters_apply(coalesce(removed, '{}'), coalesce(added, '{}'));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER finance_payments_supporters_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS new_payments
  FOR EACH STATEMENT EXECUTE FUNCTION finance_payments_supporters_trigger();
--> statement-breakpoint
CREATE TRIGGER finance_payments_supporters_update AFTER UPDATE ON payments REFERENCING OLD TABLE AS old_payments NEW TABLE AS new_payments
  FOR EACH STATEMENT EXECUTE FUNCTION finance_payments_supporters_trigger();
--> statement-breakpoint
CREATE TRIGGER finance_payments_supporters_delete AFTER DELETE ON payments REFERENCING OLD TABLE AS old_payments
  FOR EACH STATEMENT EXECUTE FUNCTION finance_payments_supporters_trigger();
--> statement-breakpoint
-- An invoice's first failure makes its payment (if recorded) recovered, and its last failure gone
-- makes it not; per statement, so that several failures of one invoice written at once count once.
-- All invoices locked before any rollup row, and before reading (see finance_payments_trigger).
CREATE FUNCTION finance_failures_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  invoices text[];
  deltas bigint[];
  c record;
  remaining bigint;
  p payments;
  d finance_daily;
  sign int;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(i), array_agg(m) INTO invoices, deltas FROM (SELECT stripe_invoice_id, count(*) FROM new_failures GROUP BY 1) AS t(i, m);
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(i), array_agg(m) INTO invoices, deltas FROM (SELECT stripe_invoice_id, -count(*) FROM old_failures GROUP BY 1) AS t(i, m);
  ELSE
    SELECT array_agg(i), array_agg(m) INTO invoices, deltas FROM (
      SELECT i, sum(m) FROM (SELECT stripe_invoice_id, 1 FROM new_failures UNION ALL SELECT stripe_invoice_id, -1 FROM old_failures) AS u(i, m)
      GROUP BY i HAVING sum(m) <> 0
    ) AS t(i, m);
  END IF;
  IF invoices IS NULL THEN RETURN NULL; END IF;
  PERFORM finance_lock_keys(727003, invoices);
  FOR c IN SELECT u.i, u.m FROM unnest(invoices, deltas) AS u(i, m) ORDER BY hashtext(u.i), u.i LOOP
    SELECT count(*) INTO remaining FROM payment_failures f WHERE f.stripe_invoice_id = c.i;
    CONTINUE WHEN (remaining > 0) = (remaining - c.m > 0);
    SELECT * INTO p FROM payments WHERE stripe_invoice_id = c.i;
    CONTINUE WHEN NOT FOUND;
    sign := CASE WHEN remaining > 0 THEN 1 ELSE -1 END;
    d := NULL;
    d.recovered_count := sign;
    d.recovered_minor := sign * p.amount_minor;
    PERFORM finance_daily_add(p.livemode, p.paid_at, p.currency, CASE WHEN p.recurring_gift_id IS NULL THEN 'once' ELSE 'recurring' END, p.settlement_currency, d);
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER finance_failures_insert AFTER INSERT ON payment_failures REFERENCING NEW TABLE AS new_failures
  FOR EACH STATEMENT EXECUTE FUNCTION finance_failures_trigger();
--> statement-breakpoint
-- Every update statement (a column list cannot go with transition tables); only a changed invoice counts.
CREATE TRIGGER finance_failures_update AFTER UPDATE ON payment_failures REFERENCING OLD TABLE AS old_failures NEW TABLE AS new_failures
  FOR EACH STATEMENT EXECUTE FUNCTION finance_failures_trigger();
--> statement-breakpoint
CREATE TRIGGER finance_failures_delete AFTER DELETE ON payment_failures REFERENCING OLD TABLE AS old_failures
  FOR EACH STATEMENT EXECUTE FUNCTION finance_failures_trigger();
--> statement-breakpoint
-- The backfill, from the ledger as it is (nothing writes it meanwhile: the lock above).
UPDATE finance_daily AS f SET recovered_count = r.n, recovered_minor = r.amount
FROM (
  SELECT p.livemode, (p.paid_at AT TIME ZONE 'UTC')::date AS day, p.currency, CASE WHEN p.recurring_gift_id IS NULL THEN 'once' ELSE 'recurring' END AS kind,
    coalesce(p.settlement_currency, '') AS settlement_currency, count(*) AS n, sum(p.amount_minor) AS amount
  FROM payments p
  WHERE p.stripe_invoice_id IS NOT NULL AND p.stripe_invoice_id IN (SELECT stripe_invoice_id FROM payment_failures)
  GROUP BY 1, 2, 3, 4, 5
) AS r
WHERE f.livemode = r.livemode AND f.day = r.day AND f.currency = r.currency AND f.kind = r.kind AND f.settlement_currency = r.settlement_currency;
--> statement-breakpoint
INSERT INTO finance_supporter_days (livemode, day, currency, supporter_days)
SELECT livemode, day, currency, count(*)
FROM (SELECT DISTINCT livemode, currency, supporter_id, (paid_at AT TIME ZONE 'UTC')::date AS day FROM payments WHERE supporter_id IS NOT NULL) AS d
GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO finance_supporter_pairs (livemode, currency, grain, first_period, next_day, pairs)
SELECT livemode, currency, g.grain, date_trunc(g.grain, day)::date, next_day, count(*)
FROM (
  SELECT livemode, currency, day, lead(day) OVER (PARTITION BY livemode, currency, supporter_id ORDER BY day) AS next_day
  FROM (SELECT DISTINCT livemode, currency, supporter_id, (paid_at AT TIME ZONE 'UTC')::date AS day FROM payments WHERE supporter_id IS NOT NULL) AS d
) AS l CROSS JOIN (VALUES ('day'), ('month')) AS g(grain)
WHERE next_day IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
-- The attribution rollups, one row per dimension instead of one per (article, section, campaign,
-- variant): a year of one dimension is then an index range of (livemode, dimension, grain, period)
-- holding that dimension's keys only, where the combined rows made every dimension group ~1.3M
-- monthly rows at 1M payments. The key is the dimension's value ('' when the gift has none); a
-- variant's key is "campaign / variant", since a variant means something only within its campaign.
DROP TABLE "finance_attribution";--> statement-breakpoint
DROP TABLE "finance_recurring_attribution";--> statement-breakpoint
CREATE TABLE "finance_attribution" (
	"livemode" text NOT NULL,
	"dimension" text NOT NULL,
	"grain" text NOT NULL,
	"period" date NOT NULL,
	"currency" char(3) NOT NULL,
	"key" text NOT NULL,
	"payments_count" bigint DEFAULT 0 NOT NULL,
	"gifts_count" bigint DEFAULT 0 NOT NULL,
	"gross_minor" bigint DEFAULT 0 NOT NULL,
	"refunds_count" bigint DEFAULT 0 NOT NULL,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	"disputes_count" bigint DEFAULT 0 NOT NULL,
	"disputed_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_attribution_livemode_dimension_grain_period_currency_key_pk" PRIMARY KEY("livemode","dimension","grain","period","currency","key")
);
--> statement-breakpoint
CREATE TABLE "finance_recurring_attribution" (
	"livemode" text NOT NULL,
	"dimension" text NOT NULL,
	"grain" text NOT NULL,
	"period" date NOT NULL,
	"currency" char(3) NOT NULL,
	"key" text NOT NULL,
	"started_count" bigint DEFAULT 0 NOT NULL,
	"ended12m_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_recurring_attribution_livemode_dimension_grain_period_currency_key_pk" PRIMARY KEY("livemode","dimension","grain","period","currency","key")
);
--> statement-breakpoint
-- One statement for a fact's eight rows (four dimensions, two grains), taken in the order of
-- (dimension, grain): a fact has one row of each, so two transactions that each write a fact take
-- their rows in the same order and cannot deadlock on them.
CREATE OR REPLACE FUNCTION finance_attribution_add(p_livemode text, p_at timestamptz, p_currency char(3), p_article text, p_section text, p_campaign text, p_variant text,
  d_payments bigint, d_gifts bigint, d_gross bigint, d_refunds bigint, d_refunded bigint, d_disputes bigint, d_disputed bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finance_attribution AS f (livemode, dimension, grain, period, currency, key,
    payments_count, gifts_count, gross_minor, refunds_count, refunded_minor, disputes_count, disputed_minor)
  SELECT p_livemode, d.dimension, g.grain, date_trunc(g.grain, p_at AT TIME ZONE 'UTC')::date, p_currency, d.key,
    d_payments, d_gifts, d_gross, d_refunds, d_refunded, d_disputes, d_disputed
  FROM (VALUES ('article', coalesce(p_article, '')), ('campaign', coalesce(p_campaign, '')), ('section', coalesce(p_section, '')),
      ('variant', coalesce(p_campaign, '') || ' / ' || coalesce(p_variant, ''))) AS d(dimension, key)
    CROSS JOIN (VALUES ('day'), ('month')) AS g(grain)
  ORDER BY d.dimension, g.grain
  ON CONFLICT (livemode, dimension, grain, period, currency, key) DO UPDATE SET
    payments_count = f.payments_count + excluded.payments_count,
    gifts_count = f.gifts_count + excluded.gifts_count,
    gross_minor = f.gross_minor + excluded.gross_minor,
    refunds_count = f.refunds_count + excluded.refunds_count,
    refunded_minor = f.refunded_minor + excluded.refunded_minor,
    disputes_count = f.disputes_count + excluded.disputes_count,
    disputed_minor = f.disputed_minor + excluded.disputed_minor;
END $$;
--> statement-breakpoint
-- As in 0005_finance.sql but for its last statement: the gift's attribution, one row per dimension
-- and grain, in one statement ordered as finance_attribution_add's.
CREATE OR REPLACE FUNCTION finance_recurring_apply(r recurring_gifts, sign int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  real boolean := r.status NOT IN ('incomplete', 'unknown') AND NOT (r.status = 'ended' AND coalesce(r.status_reason, '') = 'incomplete_expired');
  counted boolean;
  ended boolean := r.status = 'ended' AND r.ended_at IS NOT NULL;
  arr bigint := finance_arr(r);
  ended12 int;
BEGIN
  INSERT INTO finance_recurring_now AS f (livemode, currency, status, frequency, gifts_count, arr_minor)
  VALUES (r.livemode, r.currency, r.status::text, coalesce(r.frequency::text, ''), sign, sign * arr)
  ON CONFLICT (livemode, currency, status, frequency) DO UPDATE SET gifts_count = f.gifts_count + excluded.gifts_count, arr_minor = f.arr_minor + excluded.arr_minor;
  IF NOT real THEN RETURN; END IF;
  counted := r.status <> 'paused';
  INSERT INTO finance_recurring_daily AS f (livemode, day, currency, started_count, active_delta, arr_delta_minor)
  VALUES (r.livemode, (r.started_at AT TIME ZONE 'UTC')::date, r.currency, sign, sign * (CASE WHEN counted THEN 1 ELSE 0 END), sign * (CASE WHEN counted THEN arr ELSE 0 END))
  ON CONFLICT (livemode, day, currency) DO UPDATE SET started_count = f.started_count + excluded.started_count,
    active_delta = f.active_delta + excluded.active_delta, arr_delta_minor = f.arr_delta_minor + excluded.arr_delta_minor;
  IF ended THEN
    INSERT INTO finance_recurring_daily AS f (livemode, day, currency, ended_cancelled_count, ended_failed_count, ended_other_count, active_delta, arr_delta_minor)
    VALUES (r.livemode, (r.ended_at AT TIME ZONE 'UTC')::date, r.currency,
      sign * (CASE WHEN r.status_reason = 'cancellation_requested' THEN 1 ELSE 0 END),
      sign * (CASE WHEN r.status_reason = 'payment_failed' THEN 1 ELSE 0 END),
      sign * (CASE WHEN coalesce(r.status_reason, '') NOT IN ('cancellation_requested', 'payment_failed') THEN 1 ELSE 0 END),
      -sign, -sign * arr)
    ON CONFLICT (livemode, day, currency) DO UPDATE SET ended_cancelled_count = f.ended_cancelled_count + excluded.ended_cancelled_count,
      ended_failed_count = f.ended_failed_count + excluded.ended_failed_count, ended_other_count = f.ended_other_count + excluded.ended_other_count,
      active_delta = f.active_delta + excluded.active_delta, arr_delta_minor = f.arr_delta_minor + excluded.arr_delta_minor;
  END IF;
  INSERT INTO finance_cohorts AS f (livemode, currency, start_month, end_month, gifts_count)
  VALUES (r.livemode, r.currency, date_trunc('month', r.started_at AT TIME ZONE 'UTC')::date,
    CASE WHEN ended THEN date_trunc('month', r.ended_at AT TIME ZONE 'UTC')::date ELSE 'infinity'::date END, sign)
  ON CONFLICT (livemode, currency, start_month, end_month) DO UPDATE SET gifts_count = f.gifts_count + excluded.gifts_count;
  ended12 := CASE WHEN ended AND r.ended_at < r.started_at + interval '12 months' THEN 1 ELSE 0 END;
  INSERT INTO finance_recurring_attribution AS f (livemode, dimension, grain, period, currency, key, started_count, ended12m_count)
  SELECT r.livemode, d.dimension, g.grain, date_trunc(g.grain, r.started_at AT TIME ZONE 'UTC')::date, r.currency, d.key, sign, sign * ended12
  FROM (VALUES ('article', coalesce(r.article_url, '')), ('campaign', coalesce(r.campaign, '')), ('section', coalesce(r.section, '')),
      ('variant', coalesce(r.campaign, '') || ' / ' || coalesce(r.variant, ''))) AS d(dimension, key)
    CROSS JOIN (VALUES ('day'), ('month')) AS g(grain)
  ORDER BY d.dimension, g.grain
  ON CONFLICT (livemode, dimension, grain, period, currency, key) DO UPDATE SET
    started_count = f.started_count + excluded.started_count, ended12m_count = f.ended12m_count + excluded.ended12m_count;
END $$;
--> statement-breakpoint
-- Backfill from the ledger. The facts are first summed per UTC day and attribution (far fewer rows
-- than payments), then spread over the dimensions and the two grains.
INSERT INTO finance_attribution (livemode, dimension, grain, period, currency, key,
  payments_count, gifts_count, gross_minor, refunds_count, refunded_minor, disputes_count, disputed_minor)
WITH source AS (
  SELECT p.id, p.livemode, p.currency, p.amount_minor, p.paid_at, p.recurring_gift_id,
    coalesce(g.article_url, r.article_url, '') AS article_url, coalesce(g.section, r.section, '') AS section,
    coalesce(g.campaign, r.campaign, '') AS campaign, coalesce(g.variant, r.variant, '') AS variant
  FROM payments p LEFT JOIN gifts g ON g.id = p.gift_id LEFT JOIN recurring_gifts r ON r.id = p.recurring_gift_id
), facts AS (
  SELECT livemode, paid_at AS at, currency, article_url, section, campaign, variant, 1 AS payments_count,
    CASE WHEN recurring_gift_id IS NULL THEN 1 ELSE 0 END AS gifts_count, amount_minor AS gross_minor,
    0 AS refunds_count, 0 AS refunded_minor, 0 AS disputes_count, 0 AS disputed_minor
  FROM source
  UNION ALL
  SELECT s.livemode, x.refunded_at, x.currency, s.article_url, s.section, s.campaign, s.variant, 0, 0, 0, 1, x.amount_minor, 0, 0
  FROM refunds x JOIN source s ON s.id = x.payment_id WHERE x.status IN ('pending', 'requires_action', 'succeeded')
  UNION ALL
  SELECT s.livemode, x.opened_at, x.currency, s.article_url, s.section, s.campaign, s.variant, 0, 0, 0, 0, 0, 1, x.amount_minor
  FROM disputes x JOIN source s ON s.id = x.payment_id WHERE x.status <> 'warning_closed'
), daily AS (
  SELECT livemode, (at AT TIME ZONE 'UTC')::date AS day, currency, article_url, section, campaign, variant,
    sum(payments_count) AS payments_count, sum(gifts_count) AS gifts_count, sum(gross_minor) AS gross_minor, sum(refunds_count) AS refunds_count,
    sum(refunded_minor) AS refunded_minor, sum(disputes_count) AS disputes_count, sum(disputed_minor) AS disputed_minor
  FROM facts GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT daily.livemode, d.dimension, g.grain, date_trunc(g.grain, daily.day::timestamp)::date, daily.currency, d.key,
  sum(payments_count), sum(gifts_count), sum(gross_minor), sum(refunds_count), sum(refunded_minor), sum(disputes_count), sum(disputed_minor)
FROM daily
  CROSS JOIN LATERAL (VALUES ('article', daily.article_url), ('campaign', daily.campaign), ('section', daily.section),
    ('variant', daily.campaign || ' / ' || daily.variant)) AS d(dimension, key)
  CROSS JOIN (VALUES ('day'), ('month')) AS g(grain)
GROUP BY 1, 2, 3, 4, 5, 6;
--> statement-breakpoint
INSERT INTO finance_recurring_attribution (livemode, dimension, grain, period, currency, key, started_count, ended12m_count)
WITH daily AS (
  SELECT livemode, (started_at AT TIME ZONE 'UTC')::date AS day, currency, coalesce(article_url, '') AS article_url, coalesce(section, '') AS section,
    coalesce(campaign, '') AS campaign, coalesce(variant, '') AS variant, count(*) AS started_count,
    count(*) FILTER (WHERE status = 'ended' AND ended_at IS NOT NULL AND ended_at < started_at + interval '12 months') AS ended12m_count
  FROM recurring_gifts
  WHERE status NOT IN ('incomplete', 'unknown') AND NOT (status = 'ended' AND coalesce(status_reason, '') = 'incomplete_expired')
  GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT daily.livemode, d.dimension, g.grain, date_trunc(g.grain, daily.day::timestamp)::date, daily.currency, d.key, sum(started_count), sum(ended12m_count)
FROM daily
  CROSS JOIN LATERAL (VALUES ('article', daily.article_url), ('campaign', daily.campaign), ('section', daily.section),
    ('variant', daily.campaign || ' / ' || daily.variant)) AS d(dimension, key)
  CROSS JOIN (VALUES ('day'), ('month')) AS g(grain)
GROUP BY 1, 2, 3, 4, 5, 6;
--> statement-breakpoint
-- Whether each payout reconciles, kept as the facts are written rather than worked out on every
-- /finance load from all its lines (a month of daily payouts carries hundreds of thousands of them).
-- A line is `matched` when our ledger accounts for its net to the cent by the rules of
-- lib/finance/payouts.ts (matchLine, and for a dispute its lines across payouts against its net);
-- `own` is the payout's own balance transaction, which it does not carry. A payout counts its carried
-- lines, their net and the unmatched ones; lib/finance/payouts.ts reads a payout's lines only when
-- those say it may not reconcile, and works out its causes from them as before.
ALTER TABLE "payout_transactions" ADD COLUMN "matched" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payout_transactions" ADD COLUMN "own" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payouts" ADD COLUMN "lines_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payouts" ADD COLUMN "lines_net_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payouts" ADD COLUMN "unmatched_lines_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- The lines already listed and their payouts' counts, in bulk before the triggers exist, by the same rules.
WITH dispute_lines AS (
  SELECT dispute_id, sum(net_minor) net, bool_or(net_minor > 0) reinstated FROM payout_transactions WHERE dispute_id IS NOT NULL GROUP BY dispute_id
), judged AS (
  SELECT l.id, l.type = 'payout' AND l.source_id IS NOT DISTINCT FROM po.stripe_payout_id AS own,
    CASE
      WHEN l.type IN ('charge', 'payment') THEN coalesce(p.fee_minor = l.fee_minor AND p.net_minor = l.net_minor AND p.settlement_currency = l.currency, false)
      WHEN l.type IN ('refund', 'payment_refund') THEN coalesce(r.net_minor = l.net_minor AND r.settlement_currency = l.currency, false)
      WHEN payout_transaction_is_dispute(l.type, l.reporting_category, l.source_id) THEN coalesce(x.id IS NOT NULL AND (d.net = x.net_minor OR (x.status = 'won' AND NOT d.reinstated)), false)
      ELSE false
    END AS matched
  FROM payout_transactions l JOIN payouts po ON po.id = l.payout_id
    LEFT JOIN payments p ON p.id = l.payment_id LEFT JOIN refunds r ON r.id = l.refund_id
    LEFT JOIN disputes x ON x.id = l.dispute_id LEFT JOIN dispute_lines d ON d.dispute_id = l.dispute_id
)
UPDATE payout_transactions t SET own = judged.own, matched = judged.matched FROM judged WHERE judged.id = t.id AND (judged.own OR judged.matched);
--> statement-breakpoint
UPDATE payouts p SET lines_count = c.lines, lines_net_minor = c.net, unmatched_lines_count = c.unmatched
FROM (SELECT payout_id, count(*) lines, sum(net_minor) net, count(*) FILTER (WHERE NOT matched) unmatched FROM payout_transactions WHERE NOT own GROUP BY payout_id) c
WHERE p.id = c.payout_id;
--> statement-breakpoint
-- A line's row as the table holds it now, except that a BEFORE trigger passes the row being written
-- (not yet in the table) as `l`: the dispute's other lines are read without it and it is added.
CREATE FUNCTION payout_line_matched(l payout_transactions) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
  paid_out bigint;
  reinstated boolean;
  x disputes;
BEGIN
  IF l.type IN ('charge', 'payment') THEN
    RETURN EXISTS (SELECT 1 FROM payments p WHERE p.id = l.payment_id AND p.fee_minor = l.fee_minor AND p.net_minor = l.net_minor AND p.settlement_currency = l.currency);
  END IF;
  IF l.type IN ('refund', 'payment_refund') THEN
    RETURN EXISTS (SELECT 1 FROM refunds r WHERE r.id = l.refund_id AND r.net_minor = l.net_minor AND r.settlement_currency = l.currency);
  END IF;
  IF NOT payout_transaction_is_dispute(l.type, l.reporting_category, l.source_id) OR l.dispute_id IS NULL THEN RETURN false; END IF;
  SELECT * INTO x FROM disputes WHERE id = l.dispute_id;
  IF NOT FOUND THEN RETURN false; END IF;
  -- A dispute's withdrawal and reinstatement can go out in different payouts; our ledger keeps their sum.
  SELECT coalesce(sum(o.net_minor), 0) + l.net_minor, bool_or(o.net_minor > 0) IS TRUE OR l.net_minor > 0 INTO paid_out, reinstated
    FROM payout_transactions o WHERE o.dispute_id = l.dispute_id AND o.id <> l.id;
  -- Won after its withdrawal went out: our net already counts the reinstatement Stripe pays out later.
  RETURN paid_out = x.net_minor OR (x.status = 'won' AND NOT reinstated);
END $$;
--> statement-breakpoint
-- Named to run after payout_transactions_link (BEFORE triggers run in name order): it reads the links.
CREATE FUNCTION payout_transactions_match() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.own := NEW.type = 'payout' AND NEW.source_id IS NOT DISTINCT FROM (SELECT stripe_payout_id FROM payouts WHERE id = NEW.payout_id);
  NEW.matched := payout_line_matched(NEW);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER payout_transactions_match BEFORE INSERT OR UPDATE ON payout_transactions FOR EACH ROW EXECUTE FUNCTION payout_transactions_match();
--> statement-breakpoint
-- Once per statement, from its transition tables: a listing inserts a payout's thousands of lines at
-- once, and one update of the payout's row per statement keeps it from thousands of row versions.
CREATE FUNCTION payout_lines_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE payouts p SET lines_count = p.lines_count + d.lines, lines_net_minor = p.lines_net_minor + d.net, unmatched_lines_count = p.unmatched_lines_count + d.unmatched
    FROM (SELECT payout_id, count(*) lines, sum(net_minor) net, count(*) FILTER (WHERE NOT matched) unmatched FROM new_lines WHERE NOT own GROUP BY payout_id) d
    WHERE p.id = d.payout_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE payouts p SET lines_count = p.lines_count - d.lines, lines_net_minor = p.lines_net_minor - d.net, unmatched_lines_count = p.unmatched_lines_count - d.unmatched
    FROM (SELECT payout_id, count(*) lines, sum(net_minor) net, count(*) FILTER (WHERE NOT matched) unmatched FROM old_lines WHERE NOT own GROUP BY payout_id) d
    WHERE p.id = d.payout_id;
  ELSE
    UPDATE payouts p SET lines_count = p.lines_count + d.lines, lines_net_minor = p.lines_net_minor + d.net, unmatched_lines_count = p.unmatched_lines_count + d.unmatched
    FROM (
      SELECT payout_id, sum(sign) lines, sum(sign * net_minor) net, coalesce(sum(sign) FILTER (WHERE NOT matched), 0) unmatched FROM (
        SELECT payout_id, net_minor, matched, 1 sign FROM new_lines WHERE NOT own
        UNION ALL
        SELECT payout_id, net_minor, matched, -1 FROM old_lines WHERE NOT own
      ) changes GROUP BY payout_id
    ) d
    WHERE p.id = d.payout_id AND (d.lines, d.net, d.unmatched) <> (0, 0, 0);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payout_lines_count_insert AFTER INSERT ON payout_transactions REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION payout_lines_count();
--> statement-breakpoint
CREATE TRIGGER payout_lines_count_update AFTER UPDATE ON payout_transactions REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION payout_lines_count();
--> statement-breakpoint
CREATE TRIGGER payout_lines_count_delete AFTER DELETE ON payout_transactions REFERENCING OLD TABLE AS old_lines FOR EACH STATEMENT EXECUTE FUNCTION payout_lines_count();
--> statement-breakpoint
-- A dispute line's match depends on the dispute's other lines, in this payout or others: they are
-- looked at again (the update sets nothing of its own; the match trigger recomputes).
CREATE FUNCTION payout_dispute_lines_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.dispute_id IS NOT NULL THEN
    UPDATE payout_transactions SET matched = matched WHERE dispute_id = OLD.dispute_id AND id <> OLD.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.dispute_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.dispute_id IS DISTINCT FROM OLD.dispute_id) THEN
    UPDATE payout_transactions SET matched = matched WHERE dispute_id = NEW.dispute_id AND id <> NEW.id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Only on what moves a dispute's sum: not on the touch above (it sets `matched` alone), so it does not recurse.
CREATE TRIGGER payout_dispute_lines_touch AFTER INSERT OR DELETE OR UPDATE OF dispute_id, net_minor ON payout_transactions
  FOR EACH ROW EXECUTE FUNCTION payout_dispute_lines_touch();
--> statement-breakpoint
-- A payment, refund or dispute whose figures change after its lines were listed: its lines again.
CREATE FUNCTION payout_lines_rematch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'payments' THEN
    UPDATE payout_transactions SET matched = matched WHERE payment_id = NEW.id;
  ELSIF TG_TABLE_NAME = 'refunds' THEN
    UPDATE payout_transactions SET matched = matched WHERE refund_id = NEW.id;
  ELSE
    UPDATE payout_transactions SET matched = matched WHERE dispute_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payout_lines_rematch AFTER UPDATE ON payments FOR EACH ROW
  WHEN ((OLD.fee_minor, OLD.net_minor, OLD.settlement_currency) IS DISTINCT FROM (NEW.fee_minor, NEW.net_minor, NEW.settlement_currency))
  EXECUTE FUNCTION payout_lines_rematch();
--> statement-breakpoint
CREATE TRIGGER payout_lines_rematch AFTER UPDATE ON refunds FOR EACH ROW
  WHEN ((OLD.net_minor, OLD.settlement_currency) IS DISTINCT FROM (NEW.net_minor, NEW.settlement_currency))
  EXECUTE FUNCTION payout_lines_rematch();
--> statement-breakpoint
CREATE TRIGGER payout_lines_rematch AFTER UPDATE ON disputes FOR EACH ROW
  WHEN ((OLD.net_minor, OLD.status) IS DISTINCT FROM (NEW.net_minor, NEW.status))
  EXECUTE FUNCTION payout_lines_rematch();
--> statement-breakpoint
-- The reminders' funnel by the UTC day a reminder was set and its campaign ('' for none), kept by a
-- trigger so /finance does not scan the reminders. A checkout that converts a reminder writes it
-- after the gift's money rollups, and nothing else writes both, so the lock order holds.
CREATE TABLE "finance_reminders_daily" (
	"day" date NOT NULL,
	"campaign" text NOT NULL,
	"set_count" bigint DEFAULT 0 NOT NULL,
	"with_email_count" bigint DEFAULT 0 NOT NULL,
	"sent_count" bigint DEFAULT 0 NOT NULL,
	"gave_before_due_count" bigint DEFAULT 0 NOT NULL,
	"gave_after_reminder_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_reminders_daily_day_campaign_pk" PRIMARY KEY("day","campaign")
);
--> statement-breakpoint
CREATE FUNCTION finance_reminder_apply(r reminders, sign int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finance_reminders_daily AS f (day, campaign, set_count, with_email_count, sent_count, gave_before_due_count, gave_after_reminder_count)
  VALUES ((r.created_at AT TIME ZONE 'UTC')::date, coalesce(r.campaign, ''), sign,
    sign * (CASE WHEN r.email_given THEN 1 ELSE 0 END),
    sign * (CASE WHEN r.sent_at IS NOT NULL THEN 1 ELSE 0 END),
    sign * (CASE WHEN r.status = 'gave' THEN 1 ELSE 0 END),
    sign * (CASE WHEN r.status = 'sent' AND r.gave_at IS NOT NULL THEN 1 ELSE 0 END))
  ON CONFLICT (day, campaign) DO UPDATE SET
    set_count = f.set_count + excluded.set_count,
    with_email_count = f.with_email_count + excluded.with_email_count,
    sent_count = f.sent_count + excluded.sent_count,
    gave_before_due_count = f.gave_before_due_count + excluded.gave_before_due_count,
    gave_after_reminder_count = f.gave_after_reminder_count + excluded.gave_after_reminder_count;
END $$;
--> statement-breakpoint
CREATE FUNCTION finance_reminders_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_reminder_apply(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_reminder_apply(NEW, 1); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER finance_reminders_insert_delete AFTER INSERT OR DELETE ON reminders FOR EACH ROW EXECUTE FUNCTION finance_reminders_trigger();
--> statement-breakpoint
CREATE TRIGGER finance_reminders_update AFTER UPDATE ON reminders FOR EACH ROW
  WHEN ((OLD.created_at, OLD.campaign, OLD.email_given, OLD.sent_at IS NULL, OLD.status, OLD.gave_at IS NULL)
    IS DISTINCT FROM (NEW.created_at, NEW.campaign, NEW.email_given, NEW.sent_at IS NULL, NEW.status, NEW.gave_at IS NULL))
  EXECUTE FUNCTION finance_reminders_trigger();
--> statement-breakpoint
INSERT INTO finance_reminders_daily (day, campaign, set_count, with_email_count, sent_count, gave_before_due_count, gave_after_reminder_count)
SELECT (created_at AT TIME ZONE 'UTC')::date, coalesce(campaign, ''), count(*), count(*) FILTER (WHERE email_given), count(*) FILTER (WHERE sent_at IS NOT NULL),
  count(*) FILTER (WHERE status = 'gave'), count(*) FILTER (WHERE status = 'sent' AND gave_at IS NOT NULL)
FROM reminders GROUP BY 1, 2;
