CREATE TYPE "public"."gift_frequency" AS ENUM('once', 'monthly', 'annual');--> statement-breakpoint
CREATE TYPE "public"."stripe_event_status" AS ENUM('pending', 'processed', 'ignored', 'failed');--> statement-breakpoint
CREATE TABLE "stripe_customers" (
	"id" text PRIMARY KEY NOT NULL,
	"supporter_id" uuid NOT NULL,
	"livemode" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supporters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"locale" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "supporters_email_key" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "gifts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"supporter_id" uuid,
	"stripe_checkout_session_id" text NOT NULL,
	"stripe_customer_id" text,
	"frequency" "gift_frequency" NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"livemode" text NOT NULL,
	"article_url" text,
	"section" text,
	"campaign" text,
	"variant" text,
	"locale" text,
	"given_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gifts_stripe_checkout_session_id_key" UNIQUE("stripe_checkout_session_id"),
	CONSTRAINT "gifts_amount_positive" CHECK ("gifts"."amount_minor" > 0),
	CONSTRAINT "gifts_currency_lower" CHECK ("gifts"."currency" ~ '^[a-z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"gift_id" uuid,
	"supporter_id" uuid,
	"stripe_payment_intent_id" text NOT NULL,
	"stripe_charge_id" text NOT NULL,
	"stripe_balance_transaction_id" text,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"settlement_amount_minor" bigint,
	"fee_minor" bigint,
	"net_minor" bigint,
	"settlement_currency" char(3),
	"exchange_rate" numeric,
	"livemode" text NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_stripe_payment_intent_id_key" UNIQUE("stripe_payment_intent_id"),
	CONSTRAINT "payments_stripe_charge_id_key" UNIQUE("stripe_charge_id"),
	CONSTRAINT "payments_stripe_balance_transaction_id_key" UNIQUE("stripe_balance_transaction_id"),
	CONSTRAINT "payments_amount_positive" CHECK ("payments"."amount_minor" > 0),
	CONSTRAINT "payments_currency_lower" CHECK ("payments"."currency" ~ '^[a-z]{3}$'),
	CONSTRAINT "payments_settlement_complete" CHECK (("payments"."fee_minor" IS NULL AND "payments"."net_minor" IS NULL AND "payments"."settlement_amount_minor" IS NULL AND "payments"."settlement_currency" IS NULL)
        OR ("payments"."fee_minor" IS NOT NULL AND "payments"."net_minor" IS NOT NULL AND "payments"."settlement_amount_minor" IS NOT NULL AND "payments"."settlement_currency" IS NOT NULL
            AND "payments"."net_minor" = "payments"."settlement_amount_minor" - "payments"."fee_minor"))
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"api_version" text,
	"livemode" boolean NOT NULL,
	"object_id" text,
	"stripe_created_at" timestamp with time zone NOT NULL,
	"payload" json,
	"status" "stripe_event_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "stripe_customers" ADD CONSTRAINT "stripe_customers_supporter_id_supporters_id_fk" FOREIGN KEY ("supporter_id") REFERENCES "public"."supporters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gifts" ADD CONSTRAINT "gifts_supporter_id_supporters_id_fk" FOREIGN KEY ("supporter_id") REFERENCES "public"."supporters"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_gift_id_gifts_id_fk" FOREIGN KEY ("gift_id") REFERENCES "public"."gifts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_supporter_id_supporters_id_fk" FOREIGN KEY ("supporter_id") REFERENCES "public"."supporters"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stripe_customers_supporter_id_index" ON "stripe_customers" USING btree ("supporter_id");--> statement-breakpoint
CREATE INDEX "gifts_supporter_id_index" ON "gifts" USING btree ("supporter_id");--> statement-breakpoint
CREATE INDEX "gifts_given_at_index" ON "gifts" USING btree ("given_at");--> statement-breakpoint
CREATE INDEX "payments_gift_id_index" ON "payments" USING btree ("gift_id");--> statement-breakpoint
CREATE INDEX "payments_supporter_id_index" ON "payments" USING btree ("supporter_id");--> statement-breakpoint
CREATE INDEX "payments_paid_at_index" ON "payments" USING btree ("paid_at");--> statement-breakpoint
CREATE INDEX "stripe_events_due_idx" ON "stripe_events" USING btree ("next_attempt_at") WHERE "stripe_events"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "stripe_events_object_id_index" ON "stripe_events" USING btree ("object_id");