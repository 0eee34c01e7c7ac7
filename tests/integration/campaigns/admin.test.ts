import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import CampaignPage from "@/app/finance/campaigns/edit/page";
import { saveCampaignAction, setCampaignActiveAction } from "@/app/finance/campaigns/actions";
import CampaignsPage from "@/app/finance/campaigns/page";
import { getDb } from "@/db";
import { loadCampaign } from "@/db/queries/campaigns";
import { campaigns, gifts, payments, recurringGifts, staffMembers, supporters } from "@/db/schema";
import { listCampaigns, saveCampaign, setCampaignActive } from "@/lib/campaigns/admin";
import { campaignProgress } from "@/lib/campaigns/progress";
import { campaignFormValues, type TCampaignFormInput } from "@/lib/campaigns/schemas";
import { PRESET_AMOUNTS } from "@/lib/gifts/presets";
import { type Actor, nobody } from "@/lib/supporters/actor";
import { signedIn, signedInSession } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { auditIds, auditSince, pageOutcome, post } from "../../support/staff";

// The session cookie the server actions read (lib/auth/current-actor.ts): the test sets whose it is.
const session = vi.hoisted(() => ({ value: null as string | null }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  cookies: (await import("../../support/next")).cookieJarOf(session),
}));
// Revalidating needs Next's request store, which a direct call of the action has not.
vi.mock("next/cache", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), revalidatePath: () => {} }));
// As next.config.ts turns it on for the app: forbidden() answers a 403.
vi.stubEnv("__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS", "true");

const database = useTestDatabase();

// The admin of the tests' environment: ADMIN_EMAILS is unset, so the local default.
const ADMIN = "admin@example.org";
const PAGE = "/finance/campaigns/edit";
const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
const campaignRows = () => getDb().select().from(campaigns).orderBy(campaigns.slug);

/** A valid form for a new campaign, from the built-in presets, with `changes` on top. */
function form(changes: Partial<TCampaignFormInput> = {}): TCampaignFormInput {
  const base = campaignFormValues({ slug: "", name: "", presets: PRESET_AMOUNTS, copy: {}, goalMinor: null, goalCurrency: null, startsOn: null, endsOn: null }, "create");

  return { ...base, slug: unique("drive"), name: "Spring drive", ...changes };
}

describe(`campaigns for admins on ${database.kind}`, () => {
  let admin: Actor;

  beforeAll(async () => {
    admin = await signedIn(ADMIN);
  });

  it("an admin creates a campaign with presets, copy, a goal and dates, then changes it: stored as given, one audit line each, the picker reads it at once", async () => {
    const input = form({
      name: "Spring drive",
      goalAmount: "5000",
      goalCurrency: "eur",
      startsOn: "2025-02-20",
      endsOn: "2025-04-10",
      copy: { en: { headline: "Our spring drive", appeal: "" }, ru: { headline: "", appeal: "Весенний сбор" } },
    });
    input.presets.once.eur = { amounts: "60, 15, 30", suggested: "30" };
    input.presets.monthly.gbp = { amounts: "7.50", suggested: "7.5" };
    let seen = await auditIds();
    expect(await saveCampaign(admin, input, PAGE)).toEqual({ slug: input.slug, created: true });

    const [row] = await getDb().select().from(campaigns).where(eq(campaigns.slug, input.slug));
    expect(row).toMatchObject({
      name: "Spring drive",
      active: true,
      goalMinor: 500000,
      goalCurrency: "eur",
      startsOn: "2025-02-20",
      endsOn: "2025-04-10",
      copy: { en: { headline: "Our spring drive" }, ru: { appeal: "Весенний сбор" } },
    });
    expect((row!.presets as typeof PRESET_AMOUNTS).once.eur).toEqual({ amounts: [1500, 3000, 6000], suggested: 3000 });
    expect((row!.presets as typeof PRESET_AMOUNTS).monthly.gbp).toEqual({ amounts: [750], suggested: 750 });
    expect((row!.presets as typeof PRESET_AMOUNTS).annual.usd).toEqual(PRESET_AMOUNTS.annual.usd);
    expect(await auditSince(seen)).toEqual([
      expect.objectContaining({
        actorEmail: ADMIN,
        action: "campaign.create",
        target: input.slug,
        page: PAGE,
        details: { name: "Spring drive", goalMinor: 500000, goalCurrency: "eur", startsOn: "2025-02-20", endsOn: "2025-04-10" },
      }),
    ]);
    expect((await loadCampaign(input.slug)).presets.once.eur).toEqual({ amounts: [1500, 3000, 6000], suggested: 3000 });

    // Changing it: the goal and dates cleared, a preset changed.
    seen = await auditIds();
    const changed = { ...input, mode: "update" as const, name: "Spring drive, extended", goalAmount: "", goalCurrency: "" as const, startsOn: "", endsOn: "" };
    changed.presets.once.eur = { amounts: "20, 40", suggested: "40" };
    expect(await saveCampaign(admin, changed, `/finance/campaigns/edit?slug=${input.slug}`)).toEqual({ slug: input.slug, created: false });
    const [after] = await getDb().select().from(campaigns).where(eq(campaigns.slug, input.slug));
    expect(after).toMatchObject({ name: "Spring drive, extended", goalMinor: null, goalCurrency: null, startsOn: null, endsOn: null });
    expect((await loadCampaign(input.slug)).presets.once.eur).toEqual({ amounts: [2000, 4000], suggested: 4000 });
    expect(await auditSince(seen)).toEqual([expect.objectContaining({ action: "campaign.update", target: input.slug, details: expect.objectContaining({ goalMinor: null }) })]);

    // Creating over an existing slug is refused; it is changed with "update" only.
    await expect(saveCampaign(admin, { ...input, mode: "create" }, PAGE)).rejects.toMatchObject({ code: "CONFLICT", details: { fieldErrors: { slug: expect.any(String) } } });
    await expect(saveCampaign(admin, form({ mode: "update" }), PAGE)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses finance staff, a supporter, a manage link and nobody, writing nothing", async () => {
    const financeEmail = `${unique("finance")}@example.org`;
    await getDb().insert(staffMembers).values({ email: financeEmail, role: "finance", grantedBy: ADMIN });
    const existing = form();
    await saveCampaign(admin, existing, PAGE);
    const rows = await campaignRows();
    const seen = await auditIds();
    const actors: Actor[] = [await signedIn(financeEmail), await signedIn(`${unique("supporter")}@example.org`), { kind: "manage_link", recurringGiftId: randomUUID() }, nobody];
    for (const actor of actors) {
      await expect(listCampaigns(actor)).rejects.toMatchObject({ code: "FORBIDDEN", message: "This is for the newsroom's admins." });
      await expect(saveCampaign(actor, form(), PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
      // Refused before the input is read: a bad form says nothing to a stranger.
      await expect(saveCampaign(actor, form({ slug: "Not A Slug" }), PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(saveCampaign(actor, { ...existing, mode: "update", name: "Taken over" }, PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(setCampaignActive(actor, existing.slug, false, PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(campaignRows()).resolves.toEqual(rows);
    }
    // Through the pages' server actions too, for someone signed in without the role, and nobody.
    for (const token of [(await signedInSession(financeEmail)).token, null]) {
      session.value = token;
      expect(await post(setCampaignActiveAction, { slug: existing.slug, active: "false" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
      expect(await post(saveCampaignAction, { mode: "create", slug: unique("x"), name: "X" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    }
    expect(await campaignRows()).toEqual(rows);
    expect(await auditSince(seen)).toEqual([]);
  });

  it("the pages: the list and the form for an admin, a 403 for finance staff, sign-in for nobody", async () => {
    const input = form({ name: "Page test" });
    await saveCampaign(admin, input, PAGE);
    const edit = () => CampaignPage({ searchParams: Promise.resolve({ slug: input.slug }) });
    const create = () => CampaignPage({ searchParams: Promise.resolve({}) });
    session.value = (await signedInSession(ADMIN)).token;
    const list = await pageOutcome(CampaignsPage);
    expect(list).toMatchObject({ html: expect.stringContaining(`href="/finance/campaigns/edit?slug=${input.slug}"`) });
    expect(await pageOutcome(edit)).toMatchObject({ html: expect.stringContaining("Campaign: Page test") });
    expect(await pageOutcome(create)).toMatchObject({ html: expect.stringContaining("New campaign") });
    expect(await pageOutcome(() => CampaignPage({ searchParams: Promise.resolve({ slug: unique("none") }) }))).toEqual({ status: 404 });

    const financeEmail = `${unique("finance-page")}@example.org`;
    await getDb().insert(staffMembers).values({ email: financeEmail, role: "finance", grantedBy: ADMIN });
    for (const token of [(await signedInSession(financeEmail)).token, null]) {
      session.value = token;
      expect(await pageOutcome(CampaignsPage)).toEqual(token ? { status: 403 } : { redirectedTo: "/sign-in?return=%2Ffinance%2Fcampaigns" });
      expect(await pageOutcome(edit)).toEqual(token ? { status: 403 } : { redirectedTo: `/sign-in?return=${encodeURIComponent(`/finance/campaigns/edit?slug=${input.slug}`)}` });
    }
  });

  it("names each bad field (presets per frequency and currency, copy, goal, dates) and writes nothing", async () => {
    const rows = await campaignRows();
    const seen = await auditIds();
    const cases: Array<[(input: TCampaignFormInput) => void, Record<string, string>]> = [
      [(i) => (i.presets.once.eur = { amounts: "0.50, 10", suggested: "10" }), { "presets.once.eur.amounts": "Once, EUR: €0.50 is outside what a gift may be (€1 to €10,000)" }],
      [(i) => (i.presets.monthly.usd = { amounts: "5, 10", suggested: "20" }), { "presets.monthly.usd.suggested": "Monthly, USD: the suggested amount must be one of the amounts" }],
      [(i) => (i.presets.annual.gbp = { amounts: "1, 2, 3, 4, 5, 6, 7", suggested: "1" }), { "presets.annual.gbp.amounts": "Annual, GBP: give 1 to 6 amounts, like 10, 25, 50" }],
      [(i) => (i.presets.once.usd = { amounts: "", suggested: "" }), { "presets.once.usd.amounts": "Once, USD: give 1 to 6 amounts, like 10, 25, 50" }],
      [(i) => (i.presets.once.gbp = { amounts: "10, ten", suggested: "10" }), { "presets.once.gbp.amounts": 'Once, GBP: "ten" is not an amount' }],
      [(i) => (i.presets.monthly.eur = { amounts: "10001", suggested: "10001" }), { "presets.monthly.eur.amounts": "Monthly, EUR: €10,001 is outside what a gift may be (€1 to €10,000)" }],
      [(i) => (i.slug = "Spring Drive"), { slug: "The slug is 1 to 40 lowercase letters, digits or hyphens, like spring-2026" }],
      [(i) => (i.slug = "a".repeat(41)), { slug: "The slug is 1 to 40 lowercase letters, digits or hyphens, like spring-2026" }],
      [(i) => (i.name = " "), { name: "Give the campaign a name" }],
      [(i) => (i.copy.en.headline = "h".repeat(81)), { "copy.en.headline": "A headline is at most 80 characters" }],
      [(i) => (i.copy.ru.appeal = "a".repeat(301)), { "copy.ru.appeal": "An appeal is at most 300 characters" }],
      [(i) => (i.goalAmount = "5000"), { goalCurrency: "Choose the goal's currency, or clear the goal" }],
      [(i) => Object.assign(i, { goalAmount: "", goalCurrency: "eur" }), { goalAmount: "The goal is an amount above zero, like 5000 (or leave it and its currency empty)" }],
      [(i) => Object.assign(i, { goalAmount: "0", goalCurrency: "gbp" }), { goalAmount: "The goal is an amount above zero, like 5000 (or leave it and its currency empty)" }],
      [(i) => Object.assign(i, { startsOn: "2025-02-30" }), { startsOn: "The start must be a date as YYYY-MM-DD" }],
      [(i) => Object.assign(i, { startsOn: "2025-05-01", endsOn: "2025-04-30" }), { endsOn: "The end must not be before the start" }],
    ];
    for (const [spoil, fieldErrors] of cases) {
      const input = form();
      spoil(input);
      await expect(saveCampaign(admin, input, PAGE)).rejects.toMatchObject({ code: "INVALID_INPUT", details: { fieldErrors } });
    }
    expect(await campaignRows()).toEqual(rows);
    expect(await auditSince(seen)).toEqual([]);
  });

  it("the form's post (flat field names) saves through the server action, and names a bad preset", async () => {
    session.value = (await signedInSession(ADMIN)).token;
    const input = form({ goalAmount: "1000", goalCurrency: "usd" });
    const fields: Record<string, string> = { mode: "create", slug: input.slug, name: input.name, goalAmount: "1000", goalCurrency: "usd", startsOn: "", endsOn: "" };
    for (const [frequency, sets] of Object.entries(input.presets)) {
      for (const [currency, set] of Object.entries(sets)) {
        fields[`presets.${frequency}.${currency}.amounts`] = set.amounts;
        fields[`presets.${frequency}.${currency}.suggested`] = set.suggested;
      }
    }
    for (const lang of ["en", "ru"]) for (const key of ["headline", "appeal"]) fields[`copy.${lang}.${key}`] = "";

    const rows = await campaignRows();
    const refused = await post(saveCampaignAction, { ...fields, "presets.annual.eur.suggested": "75" });
    expect(refused).toEqual({ ok: false, code: "INVALID_INPUT", formError: null, fieldErrors: { "presets.annual.eur.suggested": "Annual, EUR: the suggested amount must be one of the amounts" } });
    expect(await campaignRows()).toEqual(rows);

    expect(await post(saveCampaignAction, fields)).toEqual({ ok: true, data: { slug: input.slug, created: true } });
    const [row] = await getDb().select().from(campaigns).where(eq(campaigns.slug, input.slug));
    expect(row).toMatchObject({ goalMinor: 100000, goalCurrency: "usd", active: true });
  });

  it("switches a campaign off and on (pages naming it then show the default's), one audit line each; default cannot be switched off", async () => {
    const input = form();
    input.presets.once.eur = { amounts: "11, 22", suggested: "22" };
    await saveCampaign(admin, input, PAGE);
    const seen = await auditIds();
    await setCampaignActive(admin, input.slug, false, "/finance/campaigns");
    expect((await loadCampaign(input.slug)).slug).toBe("default");
    // The same again changes nothing and logs nothing.
    await setCampaignActive(admin, input.slug, false, "/finance/campaigns");
    await setCampaignActive(admin, input.slug, true, "/finance/campaigns");
    expect((await loadCampaign(input.slug)).presets.once.eur).toEqual({ amounts: [1100, 2200], suggested: 2200 });
    expect(await auditSince(seen)).toEqual([
      expect.objectContaining({ action: "campaign.deactivate", target: input.slug, page: "/finance/campaigns" }),
      expect.objectContaining({ action: "campaign.activate", target: input.slug }),
    ]);

    const before = await campaignRows();
    await expect(setCampaignActive(admin, "default", false, "/finance/campaigns")).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(setCampaignActive(admin, unique("none"), false, "/finance/campaigns")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await campaignRows()).toEqual(before);
    // default is still editable.
    const defaults = campaignFormValues({ slug: "default", name: "Default", presets: PRESET_AMOUNTS, copy: {}, goalMinor: null, goalCurrency: null, startsOn: null, endsOn: null }, "update");
    await saveCampaign(admin, { ...defaults, goalAmount: "200", goalCurrency: "gbp" }, "/finance/campaigns/edit?slug=default");
    expect((await getDb().select().from(campaigns).where(eq(campaigns.slug, "default")))[0]).toMatchObject({ active: true, goalMinor: 20000, goalCurrency: "gbp" });
    await saveCampaign(admin, defaults, "/finance/campaigns/edit?slug=default");
  });
});

/**
 * Progress toward a goal, from a ledger written by hand (the rollups follow it by their triggers):
 * the campaign runs 2025-02-20 to 2025-04-10, so it is summed from the daily rows for 20–28
 * February and 1–10 April and from March's monthly row.
 */
describe(`campaign progress on ${database.kind}`, () => {
  const at = (day: string) => new Date(`${day}T12:00:00Z`);
  let n = 0;
  const id = (prefix: string) => `${prefix}_progress_${++n}`;

  async function oneTime(supporterId: string, amount: number, currency: string, day: string, campaign: string) {
    const db = getDb();
    const [gift] = await db
      .insert(gifts)
      .values({ supporterId, stripeCheckoutSessionId: id("cs"), frequency: "once", amountMinor: amount, currency, livemode: "test", campaign, givenAt: at(day) })
      .returning({ id: gifts.id });
    await db.insert(payments).values({ giftId: gift!.id, supporterId, stripePaymentIntentId: id("pi"), stripeChargeId: id("ch"), amountMinor: amount, currency, livemode: "test", paidAt: at(day) });
  }

  async function monthly(supporterId: string, amount: number, started: string, paid: string[], campaign: string) {
    const db = getDb();
    const [gift] = await db
      .insert(recurringGifts)
      .values({
        supporterId,
        stripeSubscriptionId: id("sub"),
        stripeCustomerId: id("cus"),
        frequency: "monthly",
        interval: "month",
        intervalCount: 1,
        amountMinor: amount,
        currency: "eur",
        status: "active",
        stripeStatus: "active",
        startedAt: at(started),
        livemode: "test",
        campaign,
        stripeSyncedAt: at(started),
      })
      .returning({ id: recurringGifts.id });
    for (const [index, day] of paid.entries()) {
      await db.insert(payments).values({
        recurringGiftId: gift!.id,
        supporterId,
        stripeInvoiceId: id("in"),
        billingReason: index === 0 ? "subscription_create" : "subscription_cycle",
        stripePaymentIntentId: id("pi"),
        stripeChargeId: id("ch"),
        amountMinor: amount,
        currency: "eur",
        livemode: "test",
        paidAt: at(day),
      });
    }
  }

  let slug: string;

  beforeAll(async () => {
    const admin = await signedIn(ADMIN);
    slug = unique("spring");
    await saveCampaign(admin, form({ slug, goalAmount: "1000", goalCurrency: "eur", startsOn: "2025-02-20", endsOn: "2025-04-10" }), PAGE);
    const [row] = await getDb().insert(supporters).values({ email: `${unique("reader")}@example.org` }).returning({ id: supporters.id });
    const reader = row!.id;
    await oneTime(reader, 50000, "eur", "2025-02-19", slug); // the day before it starts: not counted
    await oneTime(reader, 2500, "eur", "2025-02-20", slug); // its first day
    await oneTime(reader, 1000, "eur", "2025-02-28", slug);
    await oneTime(reader, 10000, "eur", "2025-03-01", slug); // March, whole
    await oneTime(reader, 4000, "eur", "2025-03-31", slug);
    await oneTime(reader, 500, "eur", "2025-04-10", slug); // its last day
    await oneTime(reader, 7000, "eur", "2025-04-11", slug); // the day after it ends: not counted
    await oneTime(reader, 3000, "gbp", "2025-03-15", slug); // another currency: not counted toward a goal in euros
    await oneTime(reader, 6000, "eur", "2025-03-15", unique("other")); // another campaign
    await monthly(reader, 1500, "2025-03-05", ["2025-03-05", "2025-04-05", "2025-05-05"], slug); // two payments inside, one after
  });

  it("sums gross in the goal's currency over the campaign's days: edge days and whole months, nothing outside", async () => {
    // 2500 + 1000 + 10000 + 4000 + 500 one-time, and 1500 twice monthly; 5 gifts and 1 recurring gift started.
    expect(await campaignProgress(slug, { today: "2025-04-05" })).toEqual({ raisedMinor: 21000, goalMinor: 100000, currency: "eur", gifts: 6 });
    // Its first and last days are running days too.
    expect(await campaignProgress(slug, { today: "2025-02-20" })).toEqual({ raisedMinor: 21000, goalMinor: 100000, currency: "eur", gifts: 6 });
    expect(await campaignProgress(slug, { today: "2025-04-10" })).toMatchObject({ raisedMinor: 21000 });
  });

  it("is null outside the dates, when switched off, without a goal, or for no such campaign", async () => {
    expect(await campaignProgress(slug, { today: "2025-02-19" })).toBeNull();
    expect(await campaignProgress(slug, { today: "2025-04-11" })).toBeNull();
    expect(await campaignProgress(unique("none"), { today: "2025-04-05" })).toBeNull();
    await getDb().update(campaigns).set({ active: false }).where(eq(campaigns.slug, slug));
    expect(await campaignProgress(slug, { today: "2025-04-05" })).toBeNull();
    await getDb().update(campaigns).set({ active: true, goalMinor: null, goalCurrency: null }).where(eq(campaigns.slug, slug));
    expect(await campaignProgress(slug, { today: "2025-04-05" })).toBeNull();
    await getDb().update(campaigns).set({ goalMinor: 100000, goalCurrency: "eur" }).where(eq(campaigns.slug, slug));
  });

  it("the list shows each campaign's progress while it runs", async () => {
    const admin = await signedIn(ADMIN);
    const listed = await listCampaigns(admin, { today: "2025-03-10" });
    expect(listed[0]!.slug).toBe("default");
    expect(listed.find((c) => c.slug === slug)).toMatchObject({ running: true, goalMinor: 100000, goalCurrency: "eur", progress: { raisedMinor: 21000, gifts: 6 } });
  });

  it("the database refuses half a goal and dates out of order", async () => {
    const db = getDb();
    const code = async (promise: Promise<unknown>) => promise.then(() => null, (error: { cause?: { code?: string } }) => error.cause?.code);
    expect(await code(db.update(campaigns).set({ goalCurrency: null }).where(eq(campaigns.slug, slug)))).toBe("23514");
    expect(await code(db.update(campaigns).set({ startsOn: "2025-05-01" }).where(eq(campaigns.slug, slug)))).toBe("23514");
  });
});
