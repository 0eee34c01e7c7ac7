CREATE TYPE "public"."staff_role" AS ENUM('finance', 'admin');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_email" text NOT NULL,
	"actor_role" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"page" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finance_api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	CONSTRAINT "finance_api_tokens_token_hash_key" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "finance_attribution" (
	"grain" text NOT NULL,
	"livemode" text NOT NULL,
	"period" date NOT NULL,
	"currency" char(3) NOT NULL,
	"article_url" text NOT NULL,
	"section" text NOT NULL,
	"campaign" text NOT NULL,
	"variant" text NOT NULL,
	"payments_count" bigint DEFAULT 0 NOT NULL,
	"gifts_count" bigint DEFAULT 0 NOT NULL,
	"gross_minor" bigint DEFAULT 0 NOT NULL,
	"refunds_count" bigint DEFAULT 0 NOT NULL,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	"disputes_count" bigint DEFAULT 0 NOT NULL,
	"disputed_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_attribution_grain_livemode_period_currency_article_url_section_campaign_variant_pk" PRIMARY KEY("grain","livemode","period","currency","article_url","section","campaign","variant")
);
--> statement-breakpoint
CREATE TABLE "finance_cohorts" (
	"livemode" text NOT NULL,
	"currency" char(3) NOT NULL,
	"start_month" date NOT NULL,
	"end_month" date NOT NULL,
	"gifts_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_cohorts_livemode_currency_start_month_end_month_pk" PRIMARY KEY("livemode","currency","start_month","end_month")
);
--> statement-breakpoint
CREATE TABLE "finance_daily" (
	"livemode" text NOT NULL,
	"day" date NOT NULL,
	"currency" char(3) NOT NULL,
	"kind" text NOT NULL,
	"settlement_currency" text NOT NULL,
	"payments_count" bigint DEFAULT 0 NOT NULL,
	"first_payments_count" bigint DEFAULT 0 NOT NULL,
	"gross_minor" bigint DEFAULT 0 NOT NULL,
	"settled_count" bigint DEFAULT 0 NOT NULL,
	"settlement_gross_minor" bigint DEFAULT 0 NOT NULL,
	"fee_minor" bigint DEFAULT 0 NOT NULL,
	"net_minor" bigint DEFAULT 0 NOT NULL,
	"refunds_count" bigint DEFAULT 0 NOT NULL,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	"refund_fee_minor" bigint DEFAULT 0 NOT NULL,
	"refund_net_minor" bigint DEFAULT 0 NOT NULL,
	"disputes_count" bigint DEFAULT 0 NOT NULL,
	"disputed_minor" bigint DEFAULT 0 NOT NULL,
	"disputes_open_count" bigint DEFAULT 0 NOT NULL,
	"disputes_won_count" bigint DEFAULT 0 NOT NULL,
	"disputes_lost_count" bigint DEFAULT 0 NOT NULL,
	"dispute_fee_minor" bigint DEFAULT 0 NOT NULL,
	"dispute_net_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_daily_livemode_day_currency_kind_settlement_currency_pk" PRIMARY KEY("livemode","day","currency","kind","settlement_currency")
);
--> statement-breakpoint
CREATE TABLE "finance_recurring_attribution" (
	"grain" text NOT NULL,
	"livemode" text NOT NULL,
	"period" date NOT NULL,
	"currency" char(3) NOT NULL,
	"article_url" text NOT NULL,
	"section" text NOT NULL,
	"campaign" text NOT NULL,
	"variant" text NOT NULL,
	"started_count" bigint DEFAULT 0 NOT NULL,
	"ended12m_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_recurring_attribution_grain_livemode_period_currency_article_url_section_campaign_variant_pk" PRIMARY KEY("grain","livemode","period","currency","article_url","section","campaign","variant")
);
--> statement-breakpoint
CREATE TABLE "finance_recurring_daily" (
	"livemode" text NOT NULL,
	"day" date NOT NULL,
	"currency" char(3) NOT NULL,
	"started_count" bigint DEFAULT 0 NOT NULL,
	"ended_cancelled_count" bigint DEFAULT 0 NOT NULL,
	"ended_failed_count" bigint DEFAULT 0 NOT NULL,
	"ended_other_count" bigint DEFAULT 0 NOT NULL,
	"active_delta" bigint DEFAULT 0 NOT NULL,
	"arr_delta_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_recurring_daily_livemode_day_currency_pk" PRIMARY KEY("livemode","day","currency")
);
--> statement-breakpoint
CREATE TABLE "finance_recurring_now" (
	"livemode" text NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"frequency" text NOT NULL,
	"gifts_count" bigint DEFAULT 0 NOT NULL,
	"arr_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "finance_recurring_now_livemode_currency_status_frequency_pk" PRIMARY KEY("livemode","currency","status","frequency")
);
--> statement-breakpoint
CREATE TABLE "staff_members" (
	"email" text PRIMARY KEY NOT NULL,
	"role" "staff_role" NOT NULL,
	"granted_by" text NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_at_index" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_email_at_index" ON "audit_log" USING btree ("actor_email","at");--> statement-breakpoint
-- The rollups' writers (db/schema/finance.ts). Each trigger takes the old row's contribution out and
-- puts the new row's in, in the writing transaction; an update that changes nothing counted does not fire.
-- A transaction takes the rollups' rows in one order: the recurring ones (a gift is written before its
-- payments), then finance_daily, then finance_attribution, day before month; two cannot deadlock on them.
CREATE FUNCTION finance_attribution_add(p_livemode text, p_at timestamptz, p_currency char(3), p_article text, p_section text, p_campaign text, p_variant text,
  d_payments bigint, d_gifts bigint, d_gross bigint, d_refunds bigint, d_refunded bigint, d_disputes bigint, d_disputed bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  g text;
BEGIN
  FOREACH g IN ARRAY ARRAY['day', 'month'] LOOP
    INSERT INTO finance_attribution AS f (grain, livemode, period, currency, article_url, section, campaign, variant,
      payments_count, gifts_count, gross_minor, refunds_count, refunded_minor, disputes_count, disputed_minor)
    VALUES (g, p_livemode, date_trunc(g, p_at AT TIME ZONE 'UTC')::date, p_currency, coalesce(p_article, ''), coalesce(p_section, ''), coalesce(p_campaign, ''), coalesce(p_variant, ''),
      d_payments, d_gifts, d_gross, d_refunds, d_refunded, d_disputes, d_disputed)
    ON CONFLICT (grain, livemode, period, currency, article_url, section, campaign, variant) DO UPDATE SET
      payments_count = f.payments_count + excluded.payments_count,
      gifts_count = f.gifts_count + excluded.gifts_count,
      gross_minor = f.gross_minor + excluded.gross_minor,
      refunds_count = f.refunds_count + excluded.refunds_count,
      refunded_minor = f.refunded_minor + excluded.refunded_minor,
      disputes_count = f.disputes_count + excluded.disputes_count,
      disputed_minor = f.disputed_minor + excluded.disputed_minor;
  END LOOP;
END $$;
--> statement-breakpoint
CREATE FUNCTION finance_daily_add(p_livemode text, p_at timestamptz, p_currency char(3), p_kind text, p_settlement text, d finance_daily)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finance_daily AS f (livemode, day, currency, kind, settlement_currency,
    payments_count, first_payments_count, gross_minor, settled_count, settlement_gross_minor, fee_minor, net_minor,
    refunds_count, refunded_minor, refund_fee_minor, refund_net_minor,
    disputes_count, disputed_minor, disputes_open_count, disputes_won_count, disputes_lost_count, dispute_fee_minor, dispute_net_minor)
  VALUES (p_livemode, (p_at AT TIME ZONE 'UTC')::date, p_currency, p_kind, coalesce(p_settlement, ''),
    coalesce(d.payments_count, 0), coalesce(d.first_payments_count, 0), coalesce(d.gross_minor, 0), coalesce(d.settled_count, 0),
    coalesce(d.settlement_gross_minor, 0), coalesce(d.fee_minor, 0), coalesce(d.net_minor, 0),
    coalesce(d.refunds_count, 0), coalesce(d.refunded_minor, 0), coalesce(d.refund_fee_minor, 0), coalesce(d.refund_net_minor, 0),
    coalesce(d.disputes_count, 0), coalesce(d.disputed_minor, 0), coalesce(d.disputes_open_count, 0), coalesce(d.disputes_won_count, 0),
    coalesce(d.disputes_lost_count, 0), coalesce(d.dispute_fee_minor, 0), coalesce(d.dispute_net_minor, 0))
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
    dispute_net_minor = f.dispute_net_minor + excluded.dispute_net_minor;
END $$;
--> statement-breakpoint
-- A payment's gift: its attribution and whether it is recurring.
CREATE FUNCTION finance_payment_source(p payments, OUT article text, OUT section text, OUT campaign text, OUT variant text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p.gift_id IS NOT NULL THEN
    SELECT g.article_url, g.section, g.campaign, g.variant INTO article, section, campaign, variant FROM gifts g WHERE g.id = p.gift_id;
  ELSE
    SELECT r.article_url, r.section, r.campaign, r.variant INTO article, section, campaign, variant FROM recurring_gifts r WHERE r.id = p.recurring_gift_id;
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION finance_payment_apply(p payments, sign int, part text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  d finance_daily;
  s record;
  first int := CASE WHEN p.recurring_gift_id IS NULL OR p.billing_reason = 'subscription_create' THEN 1 ELSE 0 END;
BEGIN
  d.payments_count := sign;
  d.first_payments_count := sign * first;
  d.gross_minor := sign * p.amount_minor;
  d.settled_count := sign * (CASE WHEN p.fee_minor IS NULL THEN 0 ELSE 1 END);
  d.settlement_gross_minor := sign * coalesce(p.settlement_amount_minor, 0);
  d.fee_minor := sign * coalesce(p.fee_minor, 0);
  d.net_minor := sign * coalesce(p.net_minor, 0);
  IF part = 'daily' THEN
    PERFORM finance_daily_add(p.livemode, p.paid_at, p.currency, CASE WHEN p.recurring_gift_id IS NULL THEN 'once' ELSE 'recurring' END, p.settlement_currency, d);
    RETURN;
  END IF;
  s := finance_payment_source(p);
  PERFORM finance_attribution_add(p.livemode, p.paid_at, p.currency, s.article, s.section, s.campaign, s.variant,
    sign, sign * (CASE WHEN p.recurring_gift_id IS NULL THEN 1 ELSE 0 END), sign * p.amount_minor, 0, 0, 0, 0);
END $$;
--> statement-breakpoint
CREATE FUNCTION finance_payments_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Every daily row before any attribution row, whichever way the change moves the fact.
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_payment_apply(OLD, -1, 'daily'); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_payment_apply(NEW, 1, 'daily'); END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_payment_apply(OLD, -1, 'attribution'); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_payment_apply(NEW, 1, 'attribution'); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER finance_payments_insert_delete AFTER INSERT OR DELETE ON payments FOR EACH ROW EXECUTE FUNCTION finance_payments_trigger();
--> statement-breakpoint
CREATE TRIGGER finance_payments_update AFTER UPDATE ON payments FOR EACH ROW
  WHEN ((OLD.amount_minor, OLD.currency, OLD.paid_at, OLD.livemode, OLD.gift_id, OLD.recurring_gift_id, OLD.billing_reason, OLD.settlement_currency, OLD.settlement_amount_minor, OLD.fee_minor, OLD.net_minor)
    IS DISTINCT FROM (NEW.amount_minor, NEW.currency, NEW.paid_at, NEW.livemode, NEW.gift_id, NEW.recurring_gift_id, NEW.billing_reason, NEW.settlement_currency, NEW.settlement_amount_minor, NEW.fee_minor, NEW.net_minor))
  EXECUTE FUNCTION finance_payments_trigger();
--> statement-breakpoint
-- Refunds count while Stripe's status is one that takes money out (REFUND_STATUSES_THAT_COUNT in db/queries/account.ts).
CREATE FUNCTION finance_refund_apply(r refunds, sign int, part text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  d finance_daily;
  p payments;
  s record;
BEGIN
  IF r.status NOT IN ('pending', 'requires_action', 'succeeded') THEN RETURN; END IF;
  SELECT * INTO p FROM payments WHERE id = r.payment_id;
  d.refunds_count := sign;
  d.refunded_minor := sign * r.amount_minor;
  d.refund_fee_minor := sign * coalesce(r.fee_minor, 0);
  d.refund_net_minor := sign * coalesce(r.net_minor, 0);
  IF part = 'daily' THEN
    PERFORM finance_daily_add(p.livemode, r.refunded_at, r.currency, CASE WHEN p.recurring_gift_id IS NULL THEN 'once' ELSE 'recurring' END, r.settlement_currency, d);
    RETURN;
  END IF;
  s := finance_payment_source(p);
  PERFORM finance_attribution_add(p.livemode, r.refunded_at, r.currency, s.article, s.section, s.campaign, s.variant, 0, 0, 0, sign, sign * r.amount_minor, 0, 0);
END $$;
--> statement-breakpoint
CREATE FUNCTION finance_refunds_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Every daily row before any attribution row, whichever way the change moves the fact.
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_refund_apply(OLD, -1, 'daily'); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_refund_apply(NEW, 1, 'daily'); END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_refund_apply(OLD, -1, 'attribution'); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_refund_apply(NEW, 1, 'attribution'); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER finance_refunds_insert_delete AFTER INSERT OR DELETE ON refunds FOR EACH ROW EXECUTE FUNCTION finance_refunds_trigger();
--> statement-breakpoint
CREATE TRIGGER finance_refunds_update AFTER UPDATE ON refunds FOR EACH ROW
  WHEN ((OLD.payment_id, OLD.amount_minor, OLD.currency, OLD.status, OLD.refunded_at, OLD.settlement_currency, OLD.fee_minor, OLD.net_minor)
    IS DISTINCT FROM (NEW.payment_id, NEW.amount_minor, NEW.currency, NEW.status, NEW.refunded_at, NEW.settlement_currency, NEW.fee_minor, NEW.net_minor))
  EXECUTE FUNCTION finance_refunds_trigger();
--> statement-breakpoint
-- A dispute counts on the day it opened, in every status but an inquiry closed without a chargeback
-- (warning_closed), which disputed nothing; open, won and lost as Stripe says now.
CREATE FUNCTION finance_dispute_apply(x disputes, sign int, part text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  d finance_daily;
  p payments;
  s record;
BEGIN
  IF x.status = 'warning_closed' THEN RETURN; END IF;
  SELECT * INTO p FROM payments WHERE id = x.payment_id;
  d.disputes_count := sign;
  d.disputed_minor := sign * x.amount_minor;
  d.disputes_open_count := sign * (CASE WHEN x.status IN ('warning_needs_response', 'warning_under_review', 'needs_response', 'under_review') THEN 1 ELSE 0 END);
  d.disputes_won_count := sign * (CASE WHEN x.status = 'won' THEN 1 ELSE 0 END);
  d.disputes_lost_count := sign * (CASE WHEN x.status = 'lost' THEN 1 ELSE 0 END);
  d.dispute_fee_minor := sign * x.fee_minor;
  d.dispute_net_minor := sign * x.net_minor;
  IF part = 'daily' THEN
    PERFORM finance_daily_add(p.livemode, x.opened_at, x.currency, CASE WHEN p.recurring_gift_id IS NULL THEN 'once' ELSE 'recurring' END, x.settlement_currency, d);
    RETURN;
  END IF;
  s := finance_payment_source(p);
  PERFORM finance_attribution_add(p.livemode, x.opened_at, x.currency, s.article, s.section, s.campaign, s.variant, 0, 0, 0, 0, 0, sign, sign * x.amount_minor);
END $$;
--> statement-breakpoint
CREATE FUNCTION finance_disputes_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Every daily row before any attribution row, whichever way the change moves the fact.
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_dispute_apply(OLD, -1, 'daily'); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_dispute_apply(NEW, 1, 'daily'); END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_dispute_apply(OLD, -1, 'attribution'); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_dispute_apply(NEW, 1, 'attribution'); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER finance_disputes_insert_delete AFTER INSERT OR DELETE ON disputes FOR EACH ROW EXECUTE FUNCTION finance_disputes_trigger();
--> statement-breakpoint
CREATE TRIGGER finance_disputes_update AFTER UPDATE ON disputes FOR EACH ROW
  WHEN ((OLD.payment_id, OLD.amount_minor, OLD.currency, OLD.status, OLD.opened_at, OLD.settlement_currency, OLD.fee_minor, OLD.net_minor)
    IS DISTINCT FROM (NEW.payment_id, NEW.amount_minor, NEW.currency, NEW.status, NEW.opened_at, NEW.settlement_currency, NEW.fee_minor, NEW.net_minor))
  EXECUTE FUNCTION finance_disputes_trigger();
--> statement-breakpoint
-- A recurring gift's yearly amount (ARR): monthly × 12, annual × 1; Stripe intervals we do not offer pro rata.
CREATE FUNCTION finance_arr(r recurring_gifts) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE r.interval
    WHEN 'month' THEN r.amount_minor * 12 / r.interval_count
    WHEN 'year' THEN r.amount_minor / r.interval_count
    WHEN 'week' THEN r.amount_minor * 52 / r.interval_count
    ELSE r.amount_minor * 365 / r.interval_count END
$$;
--> statement-breakpoint
CREATE FUNCTION finance_recurring_apply(r recurring_gifts, sign int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  real boolean := r.status NOT IN ('incomplete', 'unknown') AND NOT (r.status = 'ended' AND coalesce(r.status_reason, '') = 'incomplete_expired');
  counted boolean;
  ended boolean := r.status = 'ended' AND r.ended_at IS NOT NULL;
  arr bigint := finance_arr(r);
  ended12 int;
  g text;
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
  FOREACH g IN ARRAY ARRAY['day', 'month'] LOOP
    INSERT INTO finance_recurring_attribution AS f (grain, livemode, period, currency, article_url, section, campaign, variant, started_count, ended12m_count)
    VALUES (g, r.livemode, date_trunc(g, r.started_at AT TIME ZONE 'UTC')::date, r.currency, coalesce(r.article_url, ''), coalesce(r.section, ''),
      coalesce(r.campaign, ''), coalesce(r.variant, ''), sign, sign * ended12)
    ON CONFLICT (grain, livemode, period, currency, article_url, section, campaign, variant) DO UPDATE SET
      started_count = f.started_count + excluded.started_count, ended12m_count = f.ended12m_count + excluded.ended12m_count;
  END LOOP;
END $$;
--> statement-breakpoint
-- A status change moves a gift between rows (active to cancelling, and another gift back): two such
-- transactions would take the same two rows in opposite orders. One transaction-scoped lock for the
-- recurring rollups orders them all; a transaction writes a recurring gift before its payments, so
-- this lock always comes before the money rollups' rows.
CREATE FUNCTION finance_recurring_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(727002);
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM finance_recurring_apply(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM finance_recurring_apply(NEW, 1); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER finance_recurring_insert_delete AFTER INSERT OR DELETE ON recurring_gifts FOR EACH ROW EXECUTE FUNCTION finance_recurring_trigger();
--> statement-breakpoint
CREATE TRIGGER finance_recurring_update AFTER UPDATE ON recurring_gifts FOR EACH ROW
  WHEN ((OLD.status, OLD.status_reason, OLD.amount_minor, OLD.interval, OLD.interval_count, OLD.currency, OLD.frequency, OLD.started_at, OLD.ended_at, OLD.livemode,
      OLD.article_url, OLD.section, OLD.campaign, OLD.variant)
    IS DISTINCT FROM (NEW.status, NEW.status_reason, NEW.amount_minor, NEW.interval, NEW.interval_count, NEW.currency, NEW.frequency, NEW.started_at, NEW.ended_at, NEW.livemode,
      NEW.article_url, NEW.section, NEW.campaign, NEW.variant))
  EXECUTE FUNCTION finance_recurring_trigger();
