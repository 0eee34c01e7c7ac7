import { asc, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { campaignFromRow } from "@/db/queries/campaigns";
import { campaigns } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { audit, requireStaff } from "@/lib/staff/staff";
import type { Actor } from "@/lib/supporters/actor";
import { fieldErrors } from "@/lib/validation";
import { type CampaignProgress, isRunning, progressToward } from "./progress";
import { type TCampaignFormInput, ZCampaignForm } from "./schemas";

export { type TCampaignForm, type TCampaignFormInput, ZCampaignForm } from "./schemas";

/** The campaign every page without one of its own shows: editable, never switched off. */
export const DEFAULT_CAMPAIGN = "default";

export type CampaignListing = {
  slug: string;
  name: string;
  active: boolean;
  running: boolean;
  goalMinor: number | null;
  goalCurrency: string | null;
  startsOn: string | null;
  endsOn: string | null;
  updatedAt: Date;
  progress: CampaignProgress | null;
};

export type CampaignDetail = ReturnType<typeof campaignFromRow> & {
  name: string;
  active: boolean;
  goalMinor: number | null;
  goalCurrency: string | null;
  startsOn: string | null;
  endsOn: string | null;
};

/** Every campaign, `default` first, with its progress toward its goal while it runs. Admins only. */
export async function listCampaigns(actor: Actor, options: { today?: string } = {}): Promise<CampaignListing[]> {
  const db = getDb();
  await requireStaff(actor, "admin", db);
  const rows = await db
    .select()
    .from(campaigns)
    .orderBy(sql`${campaigns.slug} <> ${DEFAULT_CAMPAIGN}`, asc(campaigns.slug));
  const today = options.today ?? new Date().toISOString().slice(0, 10);

  return Promise.all(
    rows.map(async (row) => ({
      slug: row.slug,
      name: row.name,
      active: row.active,
      running: isRunning(row, today),
      goalMinor: row.goalMinor,
      goalCurrency: row.goalCurrency?.trim() ?? null,
      startsOn: row.startsOn,
      endsOn: row.endsOn,
      updatedAt: row.updatedAt,
      progress: await progressToward(row, { today, db }),
    })),
  );
}

/** One campaign as the edit form shows it (its presets as the picker reads them), or null. Admins only. */
export async function getCampaign(actor: Actor, slug: string): Promise<CampaignDetail | null> {
  const db = getDb();
  await requireStaff(actor, "admin", db);
  const [row] = await db.select().from(campaigns).where(eq(campaigns.slug, slug)).limit(1);
  if (!row) return null;

  return {
    ...campaignFromRow(row),
    name: row.name,
    active: row.active,
    goalMinor: row.goalMinor,
    goalCurrency: row.goalCurrency?.trim() ?? null,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
  };
}

/**
 * Creates a campaign or changes one, by slug, with one audit line in the same transaction. The
 * input is checked here (INVALID_INPUT naming each field), whoever calls: the form's check is for
 * the form. The next picker render reads it: no deploy, no cache.
 */
export async function saveCampaign(actor: Actor, raw: TCampaignFormInput, page: string): Promise<{ slug: string; created: boolean }> {
  return getDb().transaction(async (tx) => {
    const admin = await requireStaff(actor, "admin", tx);
    const parsed = ZCampaignForm.safeParse(raw);
    if (!parsed.success) throw new AppError("INVALID_INPUT", "The campaign is not valid.", { fieldErrors: fieldErrors(parsed.error) });
    const input = parsed.data;
    const [before] = await tx.select({ slug: campaigns.slug }).from(campaigns).where(eq(campaigns.slug, input.slug)).for("update");
    if (input.mode === "create" && before) {
      throw new AppError("CONFLICT", "A campaign with this slug exists.", { fieldErrors: { slug: "A campaign with this slug exists: edit it, or choose another slug" } });
    }
    if (input.mode === "update" && !before) throw new AppError("NOT_FOUND", "There is no campaign with this slug.");
    const values = {
      name: input.name,
      presets: input.presets,
      // Only what was written: a field left empty falls back to the message files.
      copy: Object.fromEntries(Object.entries(input.copy).map(([lang, text]) => [lang, Object.fromEntries(Object.entries(text).filter(([, v]) => v !== undefined))])),
      goalMinor: input.goal?.minor ?? null,
      goalCurrency: input.goal?.currency ?? null,
      startsOn: input.startsOn,
      endsOn: input.endsOn,
    };
    if (before) await tx.update(campaigns).set({ ...values, updatedAt: sql`now()` }).where(eq(campaigns.slug, input.slug));
    else await tx.insert(campaigns).values({ slug: input.slug, ...values });
    await audit(tx, admin, {
      action: before ? "campaign.update" : "campaign.create",
      target: input.slug,
      page,
      details: { name: input.name, goalMinor: values.goalMinor, goalCurrency: values.goalCurrency, startsOn: values.startsOn, endsOn: values.endsOn },
    });

    return { slug: input.slug, created: !before };
  });
}

/** Switches a campaign on or off (pages naming an inactive one show the default's). `default` stays on. */
export async function setCampaignActive(actor: Actor, slug: string, active: boolean, page: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const admin = await requireStaff(actor, "admin", tx);
    if (slug === DEFAULT_CAMPAIGN && !active) throw new AppError("CONFLICT", "The default campaign is what every other page shows; it cannot be switched off.");
    const [before] = await tx.select({ active: campaigns.active }).from(campaigns).where(eq(campaigns.slug, slug)).for("update");
    if (!before) throw new AppError("NOT_FOUND", "There is no campaign with this slug.");
    if (before.active === active) return;
    await tx.update(campaigns).set({ active, updatedAt: sql`now()` }).where(eq(campaigns.slug, slug));
    await audit(tx, admin, { action: active ? "campaign.activate" : "campaign.deactivate", target: slug, page });
  });
}
