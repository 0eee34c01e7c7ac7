ALTER TABLE "stripe_events" ADD COLUMN "request_id" text;--> statement-breakpoint
ALTER TABLE "outbound_emails" ADD COLUMN "request_id" text;