ALTER TABLE "campaigns" ADD COLUMN "goal_minor" bigint;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "goal_currency" char(3);--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "starts_on" date;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "ends_on" date;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_goal_whole" CHECK (("campaigns"."goal_minor" is null) = ("campaigns"."goal_currency" is null));--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_goal_positive" CHECK ("campaigns"."goal_minor" > 0);--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_goal_currency_lower" CHECK ("campaigns"."goal_currency" ~ '^[a-z]{3}$');--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_dates_in_order" CHECK ("campaigns"."starts_on" <= "campaigns"."ends_on");