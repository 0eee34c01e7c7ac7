import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../../support/database";

// The database must be set before the app's modules read their environment.
const database = useTestDatabase();

const { getDb } = await import("@/db");
const { campaigns, gifts, payments, supporters } = await import("@/db/schema");
const { GET: pickerFragment } = await import("@/app/embed/v1/picker/route");

/**
 * The picker's HTML for a campaign with a goal: the progress bar is in the markup the server sends
 * (so in the first paint), above the preset amounts, named by its text, in the page's language.
 * The campaign runs from 2000 to 2999 and the gifts are dated 2025, so no date of the run matters.
 */
describe(`the picker's progress bar on ${database.kind}`, () => {
  const fragment = async (query: string) => {
    const response = await pickerFragment(new Request(`http://localhost:3000/embed/v1/picker?${query}`, { headers: { "cf-ipcountry": "FR" } }));
    expect(response.status).toBe(200);

    return response.text();
  };
  const presets = { once: { eur: { amounts: [1000, 2500], suggested: 2500 } } };

  it("shows what a running campaign raised toward its goal, in English and Russian; nothing for one without a goal or not running", async () => {
    const db = getDb();
    await db.insert(campaigns).values([
      { slug: "drive", name: "Drive", presets, goalMinor: 500000, goalCurrency: "eur", startsOn: "2000-01-01", endsOn: "2999-12-31" },
      { slug: "no-goal", name: "No goal", presets },
      { slug: "over", name: "Over", presets, goalMinor: 500000, goalCurrency: "eur", startsOn: "2000-01-01", endsOn: "2001-01-01" },
    ]);
    const [reader] = await db.insert(supporters).values({ email: "progress@example.org" }).returning({ id: supporters.id });
    for (const [i, amount] of [100000, 23400].entries()) {
      const [gift] = await db
        .insert(gifts)
        .values({ supporterId: reader!.id, stripeCheckoutSessionId: `cs_p${i}`, frequency: "once", amountMinor: amount, currency: "eur", livemode: "test", campaign: "drive", givenAt: new Date("2025-03-10T12:00:00Z") })
        .returning({ id: gifts.id });
      await db.insert(payments).values({ giftId: gift!.id, supporterId: reader!.id, stripePaymentIntentId: `pi_p${i}`, stripeChargeId: `ch_p${i}`, amountMinor: amount, currency: "eur", livemode: "test", paidAt: new Date("2025-03-10T12:00:00Z") });
    }

    const english = await fragment("lang=en&campaign=drive");
    expect(english).toContain('<p class="rf-progress-text" id="');
    expect(english).toContain(">€1,234 raised of €5,000</p>");
    const bar = /<progress value="(\d+)" max="(\d+)" aria-labelledby="([^"]+)" aria-valuetext="([^"]+)"><\/progress>/.exec(english);
    expect(bar?.slice(1, 3)).toEqual(["123400", "500000"]);
    expect(bar?.[4]).toBe("€1,234 raised of €5,000");
    expect(english).toContain(`id="${bar?.[3]}">€1,234 raised of €5,000`);
    // Above the presets: the bar comes before the form and its amounts.
    expect(english.indexOf("<progress")).toBeLessThan(english.indexOf('name="amount"'));

    const russian = await fragment("lang=ru&campaign=drive");
    expect(russian).toContain(">Собрано 1\u00a0234\u00a0€ из 5\u00a0000\u00a0€</p>");

    for (const other of ["no-goal", "over", "default"]) expect(await fragment(`lang=en&campaign=${other}`)).not.toContain("rf-progress");
  });

  it("reads the goal on every render: a change in the database shows on the next one", async () => {
    await getDb().insert(campaigns).values({ slug: "later", name: "Later", presets });
    expect(await fragment("lang=en&campaign=later")).not.toContain("<progress");
    const { eq } = await import("drizzle-orm");
    await getDb().update(campaigns).set({ goalMinor: 20000, goalCurrency: "gbp" }).where(eq(campaigns.slug, "later"));
    expect(await fragment("lang=en&campaign=later")).toContain(">£0 raised of £200</p>");
  });
});
