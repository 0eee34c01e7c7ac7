import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../../support/database";
import { captureLog } from "../../../../../support/log";

// The log level and the database must be set before the app's modules read their environment.
const log = captureLog();
const database = useTestDatabase();

const { getDb } = await import("@/db");
const { campaigns } = await import("@/db/schema");
const { GET: pickerFragment } = await import("@/app/embed/v1/picker/route");

describe(`GET /embed/v1/picker on ${database.kind}`, () => {
  const fragment = async (query: string, headers: Record<string, string> = {}) => {
    const response = await pickerFragment(new Request(`http://localhost:3000/embed/v1/picker?${query}`, { headers }));
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cache-control")).toContain("no-store");

    return response.text();
  };

  it("speaks the page's language and picks the currency from the CDN's country header", async () => {
    const html = await fragment("lang=ru&article=https://news.example/a&section=world&campaign=&variant=v1", { "cf-ipcountry": "GB" });
    expect(html).toContain('lang="ru"');
    expect(html).toContain("Поддержите независимую журналистику");
    expect(html).toMatch(/<option value="gbp" selected="">/);
    expect(html).toContain('name="articleUrl" value="https://news.example/a"');
    expect(html).toContain('name="variant" value="v1"');
    expect(html).not.toContain("<!DOCTYPE");
    expect(await fragment("lang=en", { "cf-ipcountry": "US" })).toMatch(/<option value="usd" selected="">/);
    const german = await fragment("lang=de");
    expect(german).toMatch(/<option value="eur" selected="">/);
    expect(german).toContain("Support independent journalism");
  });

  it("takes presets and copy from the campaign in the database, and the default for any other", async () => {
    await getDb()
      .insert(campaigns)
      .values({
        slug: "spring",
        name: "Spring drive",
        presets: { once: { eur: { amounts: [1500, 3000, 6000], suggested: 3000 } } },
        copy: { en: { headline: "Our spring drive" } },
      });
    const spring = await fragment("lang=en&campaign=spring", { "cf-ipcountry": "FR" });
    expect(spring).toContain("Our spring drive");
    expect(spring).toMatch(/checked="" value="30"/);
    expect(spring).toContain("€60");
    // A currency the campaign leaves out falls back to the defaults; so does an unknown campaign.
    expect(await fragment("lang=en&campaign=spring", { "cf-ipcountry": "US" })).toMatch(/checked="" value="25"/);
    expect(await fragment("lang=en&campaign=nonesuch")).toContain("Support independent journalism");
    await getDb().update(campaigns).set({ active: false }).where(eq(campaigns.slug, "spring"));
    expect(await fragment("lang=en&campaign=spring")).not.toContain("Our spring drive");
    await getDb().execute(sql`delete from campaigns where slug = 'spring'`);
  });

  it("renders the picker for a campaign named with a NUL (campaign=%00) with no error in the log", async () => {
    const response = await pickerFragment(new Request("http://localhost:3000/embed/v1/picker?lang=en&campaign=%00"));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Support independent journalism");
    expect(log.lines().filter((line) => line.level === "error" || line.level === "warn")).toEqual([]);
  });
});
