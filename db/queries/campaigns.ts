import { inArray } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { campaigns } from "@/db/schema";
import { FREQUENCIES, type Frequency, PRESET_AMOUNTS } from "@/lib/gifts/presets";
import type { CampaignGoal } from "@/lib/campaigns/progress";
import { describeError, log } from "@/lib/log";
import { CURRENCY_RULES, GIFT_CURRENCIES, type GiftCurrency } from "@/lib/money";

export type Presets = Record<Frequency, Record<GiftCurrency, { amounts: number[]; suggested: number }>>;
export type CampaignCopy = Partial<Record<"en" | "ru", { headline?: string; appeal?: string }>>;
/** `goal`: the row's goal and dates, for the picker's progress bar (lib/campaigns/progress.ts); null for the built-in defaults. */
export type Campaign = { slug: string; presets: Presets; copy: CampaignCopy; goal: CampaignGoal | null };

const ZPresetSet = z
  .object({ amounts: z.array(z.number().int().positive()).min(1).max(6), suggested: z.number().int().positive() })
  .refine((p) => p.amounts.includes(p.suggested), "the suggested amount must be one of the amounts");

const ZCopy = z.record(z.string(), z.object({ headline: z.string().max(200).optional(), appeal: z.string().max(600).optional() })).catch({});

/**
 * A campaign's settings as the picker uses them. The stored JSON is checked on every read: a
 * currency or frequency left out, or an amount outside what a gift may be, falls back to the
 * built-in defaults for that set rather than breaking the article page.
 */
export function campaignFromRow(row: { slug: string; presets: unknown; copy: unknown } & Partial<Omit<CampaignGoal, "slug">>): Campaign {
  const stored = (row.presets ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const presets = {} as Presets;
  for (const frequency of FREQUENCIES) {
    presets[frequency] = {} as Presets[Frequency];
    for (const currency of GIFT_CURRENCIES) {
      const parsed = ZPresetSet.safeParse(stored[frequency]?.[currency]);
      const rules = CURRENCY_RULES[currency];
      const usable = parsed.success && parsed.data.amounts.every((a) => a >= rules.minMinor && a <= rules.maxMinor);
      presets[frequency][currency] = usable ? parsed.data : PRESET_AMOUNTS[frequency][currency];
    }
  }

  const goal =
    row.createdAt && row.active !== undefined
      ? { slug: row.slug, active: row.active, goalMinor: row.goalMinor ?? null, goalCurrency: row.goalCurrency ?? null, startsOn: row.startsOn ?? null, endsOn: row.endsOn ?? null, createdAt: row.createdAt }
      : null;

  return { slug: row.slug, presets, copy: ZCopy.parse(row.copy ?? {}) as CampaignCopy, goal };
}

/** The named campaign if it exists and is active, else the default one (else the built-in defaults). */
export async function loadCampaign(requested: string | null | undefined): Promise<Campaign> {
  const builtIn = { slug: "default", presets: PRESET_AMOUNTS, copy: {} };
  // The goal and dates come with the campaign's row, so a picker without a goal costs no further query.
  // A name no row can have (text cannot hold a NUL) is no campaign: the database would refuse the
  // query, and a page URL must not be able to write an error to the log on every load.
  const slug = requested?.includes("\u0000") ? null : requested;
  try {
    // One query per picker render (every article view that scrolls to it): the campaign and the default together.
    const rows = await getDb()
      .select()
      .from(campaigns)
      .where(inArray(campaigns.slug, slug && slug !== "default" ? [slug, "default"] : ["default"]));
    const named = rows.find((row) => row.slug === slug && row.active);
    const fallback = rows.find((row) => row.slug === "default");

    return campaignFromRow(named ?? fallback ?? builtIn);
  } catch (error) {
    // Giving needs Stripe, not our database: without it the picker still shows, with the built-in amounts.
    log.error("campaign settings unavailable; the picker uses the built-in presets", { error: describeError(error) });

    return campaignFromRow(builtIn);
  }
}
