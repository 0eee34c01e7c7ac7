CREATE TYPE "public"."recurring_gift_status" AS ENUM('incomplete', 'active', 'past_due', 'paused', 'cancelling', 'ended', 'unknown');--> statement-breakpoint
CREATE TABLE "payment_failures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recurring_gift_id" uuid NOT NULL,
	"stripe_invoice_id" text NOT NULL,
	"attempt_count" integer NOT NULL,
	"kind" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"next_payment_attempt_at" timestamp with time zone,
	"failed_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recurring_gifts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"supporter_id" uuid,
	"stripe_subscription_id" text NOT NULL,
	"stripe_customer_id" text NOT NULL,
	"stripe_checkout_session_id" text,
	"frequency" "gift_frequency",
	"interval" text NOT NULL,
	"interval_count" integer NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" "recurring_gift_status" NOT NULL,
	"status_reason" text,
	"stripe_status" text NOT NULL,
	"cancellation_feedback" text,
	"started_at" timestamp with time zone NOT NULL,
	"current_period_start" timestamp with time zone,
	"current_period_end" timestamp with time zone,
	"cancel_at" timestamp with time zone,
	"canceled_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"paused_until" timestamp with time zone,
	"failed_payment_attempts" integer DEFAULT 0 NOT NULL,
	"next_payment_attempt_at" timestamp with time zone,
	"livemode" text NOT NULL,
	"article_url" text,
	"section" text,
	"campaign" text,
	"variant" text,
	"locale" text,
	"stripe_synced_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recurring_gifts_stripe_subscription_id_key" UNIQUE("stripe_subscription_id"),
	CONSTRAINT "recurring_gifts_stripe_checkout_session_id_key" UNIQUE("stripe_checkout_session_id"),
	CONSTRAINT "recurring_gifts_amount_nonnegative" CHECK ("recurring_gifts"."amount_minor" >= 0),
	CONSTRAINT "recurring_gifts_currency_lower" CHECK ("recurring_gifts"."currency" ~ '^[a-z]{3}$'),
	CONSTRAINT "recurring_gifts_frequency_recurring" CHECK ("recurring_gifts"."frequency" IS NULL OR "recurring_gifts"."frequency" <> 'once')
);
--> statement-breakpoint
CREATE TABLE "disputes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"payment_id" uuid NOT NULL,
	"stripe_dispute_id" text NOT NULL,
	"stripe_charge_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"evidence_due_by" timestamp with time zone,
	"settlement_amount_minor" bigint DEFAULT 0 NOT NULL,
	"fee_minor" bigint DEFAULT 0 NOT NULL,
	"net_minor" bigint DEFAULT 0 NOT NULL,
	"settlement_currency" char(3),
	"opened_at" timestamp with time zone NOT NULL,
	"stripe_synced_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "disputes_stripe_dispute_id_key" UNIQUE("stripe_dispute_id")
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"payment_id" uuid NOT NULL,
	"stripe_refund_id" text NOT NULL,
	"stripe_charge_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"stripe_balance_transaction_id" text,
	"settlement_amount_minor" bigint,
	"fee_minor" bigint,
	"net_minor" bigint,
	"settlement_currency" char(3),
	"refunded_at" timestamp with time zone NOT NULL,
	"stripe_synced_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refunds_stripe_refund_id_key" UNIQUE("stripe_refund_id"),
	CONSTRAINT "refunds_amount_positive" CHECK ("refunds"."amount_minor" > 0)
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "recurring_gift_id" uuid;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "stripe_invoice_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "billing_reason" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "period_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "period_end" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payment_failures" ADD CONSTRAINT "payment_failures_recurring_gift_id_recurring_gifts_id_fk" FOREIGN KEY ("recurring_gift_id") REFERENCES "public"."recurring_gifts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recurring_gifts" ADD CONSTRAINT "recurring_gifts_supporter_id_supporters_id_fk" FOREIGN KEY ("supporter_id") REFERENCES "public"."supporters"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payment_failures_recurring_gift_id_index" ON "payment_failures" USING btree ("recurring_gift_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_failures_invoice_attempt_kind_key" ON "payment_failures" USING btree ("stripe_invoice_id","attempt_count","kind");--> statement-breakpoint
CREATE INDEX "recurring_gifts_supporter_id_index" ON "recurring_gifts" USING btree ("supporter_id");--> statement-breakpoint
CREATE INDEX "recurring_gifts_stripe_customer_id_index" ON "recurring_gifts" USING btree ("stripe_customer_id");--> statement-breakpoint
CREATE INDEX "recurring_gifts_status_index" ON "recurring_gifts" USING btree ("status");--> statement-breakpoint
CREATE INDEX "disputes_payment_id_index" ON "disputes" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "disputes_opened_at_index" ON "disputes" USING btree ("opened_at");--> statement-breakpoint
CREATE INDEX "refunds_payment_id_index" ON "refunds" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "refunds_refunded_at_index" ON "refunds" USING btree ("refunded_at");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_recurring_gift_id_recurring_gifts_id_fk" FOREIGN KEY ("recurring_gift_id") REFERENCES "public"."recurring_gifts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payments_recurring_gift_id_index" ON "payments" USING btree ("recurring_gift_id");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_stripe_invoice_id_key" UNIQUE("stripe_invoice_id");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_one_gift" CHECK (num_nonnulls("payments"."gift_id", "payments"."recurring_gift_id") = 1);--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_invoice_is_recurring" CHECK (("payments"."stripe_invoice_id" IS NULL) = ("payments"."recurring_gift_id" IS NULL));