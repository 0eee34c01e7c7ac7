import { z } from "zod";
import { FREQUENCIES, type Frequency } from "@/lib/gifts/presets";
import { CURRENCY_RULES, formatMoney, GIFT_CURRENCIES, type GiftCurrency, minorToInput, parseAmountToMinor } from "@/lib/money";

/**
 * The campaign form: one schema for the browser (zodResolver), the server action and saveCampaign.
 * Amounts are typed in major units as a person writes them ("10, 25, 50"); the parsed form holds
 * minor units. Kept apart from lib/campaigns/admin.ts so the browser's form imports no database.
 */

export const CAMPAIGN_LANGUAGES = ["en", "ru"] as const;
export type CampaignLanguage = (typeof CAMPAIGN_LANGUAGES)[number];
export const MAX_PRESETS = 6;
/** A goal's ceiling: far above any newsroom's drive, far below where minor units stop being exact. */
export const MAX_GOAL_MINOR = 100_000_000_000;

export const FREQUENCY_LABEL: Record<Frequency, string> = { once: "Once", monthly: "Monthly", annual: "Annual" };
export const setLabel = (frequency: Frequency, currency: GiftCurrency) => `${FREQUENCY_LABEL[frequency]}, ${currency.toUpperCase()}`;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const isRealDay = (day: string) => ISO_DAY.test(day) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);

/** One preset set as typed: the amounts separated by commas or spaces, and the suggested one. */
function presetSet(frequency: Frequency, currency: GiftCurrency) {
  const where = setLabel(frequency, currency);
  const rules = CURRENCY_RULES[currency];
  const money = (minor: number) => formatMoney(minor, currency);

  return z
    .object({ amounts: z.string().trim().max(200, `${where}: too long`), suggested: z.string().trim().max(20, `${where}: too long`) })
    .transform((typed, ctx) => {
      // A comma between digits is a list separator here, not a decimal one: decimals take a point.
      const parts = typed.amounts.split(/[\s,;]+/).filter(Boolean);
      if (parts.length === 0 || parts.length > MAX_PRESETS) {
        ctx.addIssue({ code: "custom", path: ["amounts"], message: `${where}: give 1 to ${MAX_PRESETS} amounts, like 10, 25, 50` });

        return z.NEVER;
      }
      const amounts: number[] = [];
      for (const part of parts) {
        const minor = parseAmountToMinor(part, currency);
        if (minor === null) {
          ctx.addIssue({ code: "custom", path: ["amounts"], message: `${where}: "${part}" is not an amount` });

          return z.NEVER;
        }
        if (minor < rules.minMinor || minor > rules.maxMinor) {
          ctx.addIssue({ code: "custom", path: ["amounts"], message: `${where}: ${money(minor)} is outside what a gift may be (${money(rules.minMinor)} to ${money(rules.maxMinor)})` });

          return z.NEVER;
        }
        if (amounts.includes(minor)) {
          ctx.addIssue({ code: "custom", path: ["amounts"], message: `${where}: ${money(minor)} is there twice` });

          return z.NEVER;
        }
        amounts.push(minor);
      }
      const suggested = parseAmountToMinor(typed.suggested, currency);
      if (suggested === null || !amounts.includes(suggested)) {
        ctx.addIssue({ code: "custom", path: ["suggested"], message: `${where}: the suggested amount must be one of the amounts` });

        return z.NEVER;
      }

      return { amounts: amounts.sort((a, b) => a - b), suggested };
    });
}

const perCurrency = (frequency: Frequency) =>
  z.object(Object.fromEntries(GIFT_CURRENCIES.map((currency) => [currency, presetSet(frequency, currency)])) as Record<GiftCurrency, ReturnType<typeof presetSet>>);

const ZPresets = z.object(Object.fromEntries(FREQUENCIES.map((frequency) => [frequency, perCurrency(frequency)])) as Record<Frequency, ReturnType<typeof perCurrency>>);

const optionalText = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what} is at most ${max} characters`)
    .transform((text) => text || undefined);

const ZCopy = z.object(
  Object.fromEntries(CAMPAIGN_LANGUAGES.map((lang) => [lang, z.object({ headline: optionalText(80, "A headline"), appeal: optionalText(300, "An appeal") })])) as Record<
    CampaignLanguage,
    z.ZodObject<{ headline: ReturnType<typeof optionalText>; appeal: ReturnType<typeof optionalText> }>
  >,
);

const optionalDay = (what: string) =>
  z
    .string()
    .trim()
    .refine((day) => day === "" || isRealDay(day), `${what} must be a date as YYYY-MM-DD`)
    .transform((day) => day || null);

export const ZCampaignForm = z
  .object({
    // "create" refuses a slug that exists (a new campaign must not overwrite one); "update" changes it.
    mode: z.enum(["create", "update"]),
    slug: z
      .string()
      .trim()
      .regex(/^[a-z0-9-]{1,40}$/, "The slug is 1 to 40 lowercase letters, digits or hyphens, like spring-2026")
      // /finance/campaigns/edit without a slug is the form for a new one.
      .refine((slug) => slug !== "new", 'The slug "new" is taken by the new campaign form: choose another'),
    name: z.string().trim().min(1, "Give the campaign a name").max(120, "A name is at most 120 characters"),
    presets: ZPresets,
    copy: ZCopy,
    goalAmount: z.string().trim().max(20, "The goal is too long"),
    goalCurrency: z.enum(["", ...GIFT_CURRENCIES], { error: "The goal's currency is EUR, USD or GBP" }),
    startsOn: optionalDay("The start"),
    endsOn: optionalDay("The end"),
  })
  .transform((form, ctx) => {
    let goal: { minor: number; currency: GiftCurrency } | null = null;
    if (form.goalAmount !== "" || form.goalCurrency !== "") {
      if (form.goalCurrency === "") {
        ctx.addIssue({ code: "custom", path: ["goalCurrency"], message: "Choose the goal's currency, or clear the goal" });

        return z.NEVER;
      }
      const minor = parseAmountToMinor(form.goalAmount, form.goalCurrency);
      if (minor === null || minor <= 0 || minor > MAX_GOAL_MINOR) {
        ctx.addIssue({ code: "custom", path: ["goalAmount"], message: "The goal is an amount above zero, like 5000 (or leave it and its currency empty)" });

        return z.NEVER;
      }
      goal = { minor, currency: form.goalCurrency };
    }
    if (form.startsOn && form.endsOn && form.startsOn > form.endsOn) {
      ctx.addIssue({ code: "custom", path: ["endsOn"], message: "The end must not be before the start" });

      return z.NEVER;
    }

    return { mode: form.mode, slug: form.slug, name: form.name, presets: form.presets, copy: form.copy, goal, startsOn: form.startsOn, endsOn: form.endsOn };
  });

export type TCampaignFormInput = z.input<typeof ZCampaignForm>;
export type TCampaignForm = z.output<typeof ZCampaignForm>;

/** A form post's fields as zod reads them: "presets.once.eur.amounts" becomes presets → once → eur → amounts. */
export function nestFields(flat: unknown): unknown {
  if (typeof flat !== "object" || flat === null) return flat;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const path = key.split(".");
    let at = out;
    for (const part of path.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[path.at(-1)!] = value;
  }

  return out;
}


/** A stored campaign as the form shows it, for editing (or the built-in presets for a new one). */
export function campaignFormValues(
  campaign: { slug: string; name: string; presets: Record<Frequency, Record<GiftCurrency, { amounts: number[]; suggested: number }>>; copy: Partial<Record<CampaignLanguage, { headline?: string; appeal?: string }>>; goalMinor: number | null; goalCurrency: string | null; startsOn: string | null; endsOn: string | null },
  mode: "create" | "update",
): TCampaignFormInput {
  const presets = Object.fromEntries(
    FREQUENCIES.map((frequency) => [
      frequency,
      Object.fromEntries(
        GIFT_CURRENCIES.map((currency) => {
          const set = campaign.presets[frequency][currency];

          return [currency, { amounts: set.amounts.map((a) => minorToInput(a, currency)).join(", "), suggested: minorToInput(set.suggested, currency) }];
        }),
      ),
    ]),
  ) as TCampaignFormInput["presets"];
  const copy = Object.fromEntries(CAMPAIGN_LANGUAGES.map((lang) => [lang, { headline: campaign.copy[lang]?.headline ?? "", appeal: campaign.copy[lang]?.appeal ?? "" }])) as TCampaignFormInput["copy"];
  const goalCurrency = campaign.goalCurrency?.trim() as GiftCurrency | undefined;

  return {
    mode,
    slug: campaign.slug,
    name: campaign.name,
    presets,
    copy,
    goalAmount: campaign.goalMinor !== null && goalCurrency ? minorToInput(campaign.goalMinor, goalCurrency) : "",
    goalCurrency: goalCurrency ?? "",
    startsOn: campaign.startsOn ?? "",
    endsOn: campaign.endsOn ?? "",
  };
}
