CREATE TYPE "public"."reminder_status" AS ENUM('scheduled', 'sent', 'hidden', 'cancelled', 'gave');--> statement-breakpoint
CREATE TABLE "campaigns" (
	"slug" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"presets" jsonb NOT NULL,
	"copy" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reminders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"visitor_id" text NOT NULL,
	"email" text,
	"email_given" boolean DEFAULT false NOT NULL,
	"choice" text NOT NULL,
	"locale" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" "reminder_status" DEFAULT 'scheduled' NOT NULL,
	"frequency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"cover_fee" boolean DEFAULT false NOT NULL,
	"article_url" text,
	"section" text,
	"campaign" text,
	"variant" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"gave_at" timestamp with time zone,
	"gave_checkout_session_id" text,
	"gave_via_link" boolean DEFAULT false NOT NULL,
	CONSTRAINT "reminders_amount_positive" CHECK ("reminders"."amount_minor" > 0),
	CONSTRAINT "reminders_currency_lower" CHECK ("reminders"."currency" ~ '^[a-z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "spent_challenges" (
	"signature" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gifts" ADD COLUMN "fee_covered_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "gifts" ADD COLUMN "discreet" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "gifts" ADD COLUMN "reminder_id" uuid;--> statement-breakpoint
ALTER TABLE "recurring_gifts" ADD COLUMN "fee_covered_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "recurring_gifts" ADD COLUMN "discreet" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "recurring_gifts" ADD COLUMN "reminder_id" uuid;--> statement-breakpoint
CREATE INDEX "rate_limits_expire_index" ON "rate_limits" USING btree ("expire");--> statement-breakpoint
CREATE INDEX "reminders_status_due_at_index" ON "reminders" USING btree ("status","due_at");--> statement-breakpoint
CREATE INDEX "reminders_visitor_id_index" ON "reminders" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "reminders_email_index" ON "reminders" USING btree ("email");--> statement-breakpoint
CREATE INDEX "spent_challenges_expires_at_index" ON "spent_challenges" USING btree ("expires_at");--> statement-breakpoint
-- The default campaign, shown wherever a page names no campaign (or one that does not exist).
-- Amounts in minor units; finance can change them here without a deploy.
INSERT INTO "campaigns" ("slug", "name", "presets") VALUES ('default', 'Default', '{
  "once": {"eur": {"amounts": [1000, 2500, 5000, 10000], "suggested": 2500}, "usd": {"amounts": [1000, 2500, 5000, 10000], "suggested": 2500}, "gbp": {"amounts": [1000, 2000, 5000, 10000], "suggested": 2000}},
  "monthly": {"eur": {"amounts": [500, 1000, 2000, 3000], "suggested": 1000}, "usd": {"amounts": [500, 1000, 2000, 3000], "suggested": 1000}, "gbp": {"amounts": [500, 1000, 2000, 3000], "suggested": 1000}},
  "annual": {"eur": {"amounts": [5000, 10000, 20000, 30000], "suggested": 10000}, "usd": {"amounts": [5000, 10000, 20000, 30000], "suggested": 10000}, "gbp": {"amounts": [5000, 10000, 20000, 30000], "suggested": 10000}}
}'::jsonb) ON CONFLICT ("slug") DO NOTHING;
