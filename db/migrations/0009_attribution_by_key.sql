-- The attribution rollups keyed for reading a key's rows over a period (lib/finance/attribution.ts sums
-- the candidates for a period's top keys that way), and the money one indexed by revenue within each
-- block (a month, a day), where the candidates come from.
ALTER TABLE "finance_attribution" DROP CONSTRAINT "finance_attribution_livemode_dimension_grain_period_currency_key_pk";--> statement-breakpoint
ALTER TABLE "finance_recurring_attribution" DROP CONSTRAINT "finance_recurring_attribution_livemode_dimension_grain_period_currency_key_pk";--> statement-breakpoint
ALTER TABLE "finance_attribution" ADD CONSTRAINT "finance_attribution_livemode_dimension_currency_key_grain_period_pk" PRIMARY KEY("livemode","dimension","currency","key","grain","period");--> statement-breakpoint
ALTER TABLE "finance_recurring_attribution" ADD CONSTRAINT "finance_recurring_attribution_livemode_dimension_currency_key_grain_period_pk" PRIMARY KEY("livemode","dimension","currency","key","grain","period");--> statement-breakpoint
CREATE INDEX "finance_attribution_by_gross" ON "finance_attribution" USING btree ("livemode","dimension","grain","period","gross_minor" DESC NULLS LAST);
