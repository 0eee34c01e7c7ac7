import { eq, sql } from "drizzle-orm";
import { getDb, type Queryable } from "@/db";
import { campaigns } from "@/db/schema";
import { inPeriod } from "@/lib/finance/attribution";
import { reportingMode } from "@/lib/finance/figures";
import { isoDay } from "@/lib/finance/period";
import { num, select } from "@/lib/finance/select";

/** A campaign's goal and dates, as stored. */
export type CampaignGoal = { slug: string; active: boolean; goalMinor: number | null; goalCurrency: string | null; startsOn: string | null; endsOn: string | null; createdAt: Date };

export type CampaignProgress = { raisedMinor: number; goalMinor: number; currency: string; gifts: number };

/** Active and between its dates on `today` (UTC days, both ends included; a date left out is open). */
export function isRunning(campaign: Pick<CampaignGoal, "active" | "startsOn" | "endsOn">, today: string): boolean {
  return campaign.active && (campaign.startsOn === null || campaign.startsOn <= today) && (campaign.endsOn === null || today <= campaign.endsOn);
}

/**
 * What a running campaign with a goal has raised toward it: gross payments in the goal's currency
 * attributed to the campaign, from its start (or the day it was created) to its end (or today), read
 * from the finance rollups (whole months from the monthly rows, edge days from the daily ones), so a
 * picker render costs two index reads, never a scan of payments. Other currencies do not count:
 * a goal in euros is not met in pounds at some rate. Null when there is nothing to show.
 */
export async function progressToward(campaign: CampaignGoal, options: { today?: string; db?: Queryable } = {}): Promise<CampaignProgress | null> {
  const today = options.today ?? isoDay(new Date());
  if (!isRunning(campaign, today) || campaign.goalMinor === null || campaign.goalCurrency === null) return null;
  const currency = campaign.goalCurrency.trim();
  const period = { from: campaign.startsOn ?? isoDay(campaign.createdAt), to: campaign.endsOn ?? today };
  const db = options.db ?? getDb();
  const mode = reportingMode();
  const [row] = await select<{ gross: unknown; gifts: unknown; started: unknown }>(
    db,
    sql`select money.gross, money.gifts, recurring.started
        from (select coalesce(sum(gross_minor), 0) gross, coalesce(sum(gifts_count), 0) gifts from finance_attribution
            where livemode = ${mode} and dimension = 'campaign' and key = ${campaign.slug} and currency = ${currency} and ${inPeriod(period)}) money,
          (select coalesce(sum(started_count), 0) started from finance_recurring_attribution
            where livemode = ${mode} and dimension = 'campaign' and key = ${campaign.slug} and currency = ${currency} and ${inPeriod(period)}) recurring`,
  );

  // Gifts: one-time gifts and recurring gifts started, each once however often it has paid since.
  return { raisedMinor: num(row?.gross), goalMinor: campaign.goalMinor, currency, gifts: num(row?.gifts) + num(row?.started) };
}

/** The progress of the campaign named `slug` toward its goal, or null (no such campaign, not running, no goal). Read fresh on every call. */
export async function campaignProgress(slug: string, options: { today?: string; db?: Queryable } = {}): Promise<CampaignProgress | null> {
  const db = options.db ?? getDb();
  const [row] = await db
    .select({
      slug: campaigns.slug,
      active: campaigns.active,
      goalMinor: campaigns.goalMinor,
      goalCurrency: campaigns.goalCurrency,
      startsOn: campaigns.startsOn,
      endsOn: campaigns.endsOn,
      createdAt: campaigns.createdAt,
    })
    .from(campaigns)
    .where(eq(campaigns.slug, slug))
    .limit(1);

  return row ? progressToward(row, { ...options, db }) : null;
}
