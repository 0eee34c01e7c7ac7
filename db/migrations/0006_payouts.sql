CREATE TABLE "payout_transactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"payout_id" uuid NOT NULL,
	"stripe_balance_transaction_id" text NOT NULL,
	"type" text NOT NULL,
	"reporting_category" text,
	"source_id" text,
	"amount_minor" bigint NOT NULL,
	"fee_minor" bigint NOT NULL,
	"net_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"created_at_stripe" timestamp with time zone NOT NULL,
	"payment_id" uuid,
	"refund_id" uuid,
	"dispute_id" uuid,
	CONSTRAINT "payout_transactions_payout_balance_transaction_key" UNIQUE("payout_id","stripe_balance_transaction_id")
);
--> statement-breakpoint
CREATE TABLE "payouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stripe_payout_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"arrival_date" date NOT NULL,
	"created_at_stripe" timestamp with time zone NOT NULL,
	"automatic" boolean NOT NULL,
	"livemode" text NOT NULL,
	"stripe_balance_transaction_id" text,
	"reconciled_at" timestamp with time zone,
	"stripe_synced_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payouts_stripe_payout_id_key" UNIQUE("stripe_payout_id"),
	CONSTRAINT "payouts_currency_lower" CHECK ("payouts"."currency" ~ '^[a-z]{3}$')
);
--> statement-breakpoint
ALTER TABLE "payout_transactions" ADD CONSTRAINT "payout_transactions_payout_id_payouts_id_fk" FOREIGN KEY ("payout_id") REFERENCES "public"."payouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_transactions" ADD CONSTRAINT "payout_transactions_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_transactions" ADD CONSTRAINT "payout_transactions_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_transactions" ADD CONSTRAINT "payout_transactions_dispute_id_disputes_id_fk" FOREIGN KEY ("dispute_id") REFERENCES "public"."disputes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payout_transactions_source_id_index" ON "payout_transactions" USING btree ("source_id");--> statement-breakpoint
CREATE INDEX "payout_transactions_payment_id_index" ON "payout_transactions" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "payout_transactions_refund_id_index" ON "payout_transactions" USING btree ("refund_id");--> statement-breakpoint
CREATE INDEX "payout_transactions_dispute_id_index" ON "payout_transactions" USING btree ("dispute_id");--> statement-breakpoint
CREATE INDEX "payouts_arrival_date_index" ON "payouts" USING btree ("arrival_date");--> statement-breakpoint
-- What a payout carried, linked to our ledger by Stripe's ids whichever is written first: a line
-- finds its payment, refund or dispute when it is written, and a payment, refund or dispute written
-- later finds the lines waiting for it. Stripe's types: a payment is a `charge` (cards) or a `payment`
-- (some other methods); a refund a `refund` or `payment_refund`; a dispute's withdrawal and
-- reinstatement an `adjustment` reported as `dispute`/`dispute_reversal`, whose source is the
-- dispute (du_…) or, on older accounts, the charge.
CREATE FUNCTION payout_transaction_is_dispute(p_type text, p_category text, p_source text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p_category IN ('dispute', 'dispute_reversal') OR (p_type = 'adjustment' AND p_source LIKE 'du\_%')
$$;
--> statement-breakpoint
CREATE FUNCTION payout_transactions_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.payment_id := CASE WHEN NEW.type IN ('charge', 'payment') THEN (SELECT id FROM payments WHERE stripe_charge_id = NEW.source_id) END;
  NEW.refund_id := CASE WHEN NEW.type IN ('refund', 'payment_refund') THEN (SELECT id FROM refunds WHERE stripe_refund_id = NEW.source_id) END;
  NEW.dispute_id := CASE WHEN payout_transaction_is_dispute(NEW.type, NEW.reporting_category, NEW.source_id) THEN
    (SELECT id FROM disputes WHERE stripe_dispute_id = NEW.source_id OR stripe_charge_id = NEW.source_id ORDER BY stripe_dispute_id = NEW.source_id DESC, opened_at DESC LIMIT 1) END;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER payout_transactions_link BEFORE INSERT OR UPDATE OF type, reporting_category, source_id ON payout_transactions
  FOR EACH ROW EXECUTE FUNCTION payout_transactions_link();
--> statement-breakpoint
CREATE FUNCTION payout_transactions_link_payment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE payout_transactions SET payment_id = NEW.id
    WHERE source_id = NEW.stripe_charge_id AND type IN ('charge', 'payment') AND payment_id IS NULL;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payout_transactions_link_payment AFTER INSERT ON payments FOR EACH ROW EXECUTE FUNCTION payout_transactions_link_payment();
--> statement-breakpoint
CREATE FUNCTION payout_transactions_link_refund() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE payout_transactions SET refund_id = NEW.id
    WHERE source_id = NEW.stripe_refund_id AND type IN ('refund', 'payment_refund') AND refund_id IS NULL;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payout_transactions_link_refund AFTER INSERT ON refunds FOR EACH ROW EXECUTE FUNCTION payout_transactions_link_refund();
--> statement-breakpoint
CREATE FUNCTION payout_transactions_link_dispute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE payout_transactions SET dispute_id = NEW.id
    WHERE source_id IN (NEW.stripe_dispute_id, NEW.stripe_charge_id) AND dispute_id IS NULL
      AND payout_transaction_is_dispute(type, reporting_category, source_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payout_transactions_link_dispute AFTER INSERT ON disputes FOR EACH ROW EXECUTE FUNCTION payout_transactions_link_dispute();
