import { createServer, type Server } from "node:http";
import type { Locator, Page } from "@playwright/test";
import { expect, expectNoAxeViolations, test } from "./fixtures";

/**
 * The box as a reader sees it, measured at the widths readers have (360, 390, 768 and 1280 px), in
 * English and Russian, on /donate and embedded in an article page on another origin: every layout
 * rule is a number read from the page (bounding boxes), not a picture. The embed's reserved slot is
 * held to the box's real height (lib/widget/client/box-heights.ts, from `npm run measure:box`).
 */
const WIDTHS = [360, 390, 768, 1280] as const;
const LANGS = ["en", "ru"] as const;
// A phone's screen, for "Continue above the fold".
const PHONE = { width: 360, height: 740 };

let articleServer: Server;
let articleOrigin: string;

test.beforeAll(async ({ stack }) => {
  articleOrigin = stack.articleOrigin;
  const port = Number(new URL(articleOrigin).port);
  articleServer = createServer((req, res) => {
    const lang = new URL(req.url ?? "/", articleOrigin).searchParams.get("lang") ?? "en";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    // The tag far below the first screen, so the slot's room is read before the box is fetched.
    res.end(`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Article</title>
<style>body{font:18px/1.6 Georgia,serif;max-width:40rem;margin:0 auto;padding:1rem}</style></head>
<body><main><h1>Article</h1><div style="height:300vh" aria-hidden="true"></div>
<script src="${stack.appUrl}/embed/loader.js" data-campaign="article-footer"></script>
<p id="after">The end of the article.</p><div style="height:100vh"></div></main></body></html>`);
  });
  await new Promise<void>((resolve) => articleServer.listen(port, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  await new Promise((resolve) => articleServer.close(resolve));
});

type Shift = { value: number; hadRecentInput: boolean };

/** Records every layout shift from the first paint on. */
async function recordShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shifts: Shift[] = [];
    (window as unknown as { __shifts: Shift[] }).__shifts = shifts;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as Shift[]) shifts.push({ value: entry.value, hadRecentInput: entry.hadRecentInput });
    }).observe({ type: "layout-shift", buffered: true });
  });
}

const shiftsOf = async (page: Page) => (await page.evaluate(() => (window as unknown as { __shifts: Shift[] }).__shifts)).filter((s) => !s.hadRecentInput);

/** The box's parts, measured in the page (an open shadow root's too). */
function measure(picker: Locator) {
  return picker.evaluate((section) => {
    const rect = (element: Element) => {
      const { x, y, width, height, bottom } = element.getBoundingClientRect();

      return { x, y, width, height, bottom };
    };
    const one = (selector: string) => section.querySelector(selector)!;
    // By what they are (the radios' labels), not by how they are drawn.
    const frequencies = [...section.querySelectorAll("input[name=frequency] + label")];

    return {
      box: rect(section),
      form: rect(one("[data-rf-form]")),
      tiles: [...section.querySelectorAll("input[name=amount] + label")].map(rect),
      frequencies: frequencies.map(rect),
      // A label whose text is wider than its segment is cut off.
      frequenciesCut: frequencies.filter((label) => label.scrollWidth > label.clientWidth).map((label) => label.textContent),
      amountRow: rect(one("input[name=customAmount]").closest(".rf-row")!),
      firstCheckbox: rect(one(".rf-check")),
      continue: rect(one(".rf-continue")),
      // An inline box has one rectangle per line it runs over.
      continueLines: one(".rf-terms").getClientRects().length,
    };
  });
}

/** Every layout rule of the box, at this width and language. */
/** Every layout rule of the box, at this width and language (soft: a failure lists every rule broken). */
async function expectTheBoxLaidOut(picker: Locator, where: string): Promise<Awaited<ReturnType<typeof measure>>> {
  const m = await measure(picker);
  // Four amounts sit 2 × 2 or 4 × 1, never 3 + 1, in tiles of one height.
  const rows = [...new Set(m.tiles.map((tile) => Math.round(tile.y)))];
  const perRow = rows.map((y) => m.tiles.filter((tile) => Math.abs(tile.y - y) < 1).length);
  expect.soft([[4], [2, 2]], `${where}: amounts per row`).toContainEqual(perRow);
  const heights = m.tiles.map((tile) => tile.height);
  expect.soft(Math.max(...heights) - Math.min(...heights), `${where}: tiles of one height`).toBeLessThanOrEqual(0.5);
  // The three frequencies on one row, none cut off.
  expect.soft(m.frequencies).toHaveLength(3);
  expect.soft(Math.max(...m.frequencies.map((f) => f.y)) - Math.min(...m.frequencies.map((f) => f.y)), `${where}: frequencies on one row`).toBeLessThan(1);
  expect.soft(m.frequenciesCut, `${where}: frequency labels that do not fit`).toEqual([]);
  // Continue: the form's whole width when the box is narrower than 560 px; its label on one line.
  if (m.box.width < 560) expect.soft(Math.abs(m.continue.width - m.form.width), `${where}: Continue's width`).toBeLessThan(1);
  expect.soft(m.continueLines, `${where}: lines of Continue's label`).toBe(1);
  // No dead space between the amounts and the checkboxes.
  expect.soft(m.firstCheckbox.y - m.amountRow.bottom, `${where}: gap above the checkboxes`).toBeLessThanOrEqual(16);

  return m;
}

const mounted = (page: Page) => page.locator(".rf-picker[data-rf-mounted]");

for (const lang of LANGS) {
  test(`/donate in ${lang}: the box's layout at ${WIDTHS.join(", ")} px, Continue above a phone's fold, nothing moves`, async ({ browser, stack }) => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await recordShifts(page);
    try {
      await page.goto(`${stack.appUrl}/donate?lang=${lang}`);
      const picker = mounted(page);
      await expect(picker).toBeVisible();
      const phone = await expectTheBoxLaidOut(picker, `/donate ${lang} ${PHONE.width}`);
      expect.soft(phone.continue.bottom, "Continue above the fold at 360 × 740").toBeLessThanOrEqual(PHONE.height);
      expect(await shiftsOf(page)).toEqual([]);
      await expectNoAxeViolations(page);
      for (const width of WIDTHS.slice(1)) {
        await page.setViewportSize({ width, height: 900 });
        await expectTheBoxLaidOut(picker, `/donate ${lang} ${width}`);
      }
    } finally {
      await context.close();
    }
  });

  for (const width of WIDTHS) {
    test(`the embed in ${lang} at ${width} px: the slot kept the box's height, nothing after it moved, the box laid out`, async ({ browser }) => {
      const context = await browser.newContext({ viewport: { width, height: 740 } });
      const page = await context.newPage();
      await recordShifts(page);
      try {
        await page.goto(`${articleOrigin}/?lang=${lang}`);
        const slot = page.locator(".readerfund-slot");
        const after = page.locator("#after");
        const before = await slot.evaluate((element) => ({
          reserved: element.getBoundingClientRect().height,
          fetched: element.shadowRoot !== null,
          afterTop: document.getElementById("after")!.getBoundingClientRect().top + scrollY,
        }));
        expect(before.fetched, "the box is fetched only as its slot nears the screen").toBe(false);
        await slot.scrollIntoViewIfNeeded();
        const picker = mounted(page);
        await expect(picker).toBeVisible();
        const box = await expectTheBoxLaidOut(picker, `embed ${lang} ${width}`);
        // The room kept was the box's height, to 8 px, and never less: nothing after it moved.
        expect(before.reserved - box.box.height, `room kept ${before.reserved} px for a box of ${box.box.height} px`).toBeGreaterThanOrEqual(0);
        expect(before.reserved - box.box.height, `room kept ${before.reserved} px for a box of ${box.box.height} px`).toBeLessThanOrEqual(8);
        expect(await after.evaluate((element) => element.getBoundingClientRect().top + scrollY)).toBe(before.afterTop);
        expect(await shiftsOf(page)).toEqual([]);
        await expectNoAxeViolations(page);
      } finally {
        await context.close();
      }
    });
  }
}

test("the box says, beside Continue, that Stripe takes the payment, that a recurring gift can be cancelled, and which cards; nothing is fetched for it", async ({ page, stack }) => {
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(`${articleOrigin}/?lang=en`);
  await page.locator(".readerfund-slot").scrollIntoViewIfNeeded();
  const picker = page.getByRole("region", { name: "Support independent journalism" });
  const trust = picker.locator(".rf-trust");
  await expect(trust).toHaveText(/^Secure payment by Stripe/);
  await expect(picker.getByText("· Cancel any time")).toBeHidden();
  await expect(picker.getByRole("img", { name: "Cards accepted: Visa, Mastercard, American Express" })).toBeVisible();
  await picker.getByText("Monthly", { exact: true }).click();
  await expect(picker.getByText("· Cancel any time")).toBeVisible();
  // It sits right under Continue.
  const [continueBox, trustBox] = [await picker.getByRole("button", { name: /^Continue/ }).boundingBox(), await trust.boundingBox()];
  expect(trustBox!.y - (continueBox!.y + continueBox!.height)).toBeLessThanOrEqual(16);
  // The card marks are drawn in the markup: the page asked nobody but the article's origin and ours.
  expect([...new Set(requests.map((url) => new URL(url).origin))].sort()).toEqual([articleOrigin, new URL(stack.appUrl).origin].sort());
});

for (const viewport of [PHONE, { width: 1280, height: 900 }]) {
  test(`the monthly offer at ${viewport.width} px: one primary button and one plainly secondary, apart, and no third`, async ({ browser, stack }) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    try {
      await page.goto(`${stack.appUrl}/donate`);
      await page.getByRole("button", { name: "Continue: €25 once" }).click();
      const offer = page.getByRole("group", { name: "Would you make it monthly?" });
      const yes = offer.getByRole("button", { name: "Give €5 every month" });
      const no = offer.getByRole("button", { name: "Give €25 once" });
      await expect(yes).toBeFocused();
      const look = (button: Locator) => button.evaluate((element) => ({ background: getComputedStyle(element).backgroundColor, ...element.getBoundingClientRect().toJSON() }) as { background: string; x: number; y: number; width: number; height: number });
      const [primary, secondary] = [await look(yes), await look(no)];
      // Filled and plain: the secondary has no background of its own.
      expect(primary.background).not.toBe("rgba(0, 0, 0, 0)");
      expect(secondary.background).toBe("rgba(0, 0, 0, 0)");
      // Apart: side by side with a gap, or one above the other with one.
      const gap = secondary.y >= primary.y + primary.height ? secondary.y - (primary.y + primary.height) : secondary.x - (primary.x + primary.width);
      expect(gap).toBeGreaterThanOrEqual(8);
      // Continue steps aside while the offer stands: its two buttons are the way on.
      await expect(page.locator(".rf-continue")).toBeHidden();
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });
}

test("the box's own words are the reader's language: an amount out of range names it and the range; too many decimals is said as such", async ({ page, stack }) => {
  await page.goto(`${stack.appUrl}/donate?lang=ru`);
  const other = page.getByLabel("Другая сумма");
  const error = page.locator("[data-rf-error=amount]");
  await other.fill("0,5");
  await page.getByRole("button", { name: /^Продолжить/ }).click();
  await expect(error).toHaveText(/^0,50\s€ — меньше, чем мы можем принять: введите сумму от 1\s€ до 10\s000\s€\.$/);
  await expect(other).toHaveAttribute("aria-invalid", "true");
  await other.fill("10,505");
  await page.getByRole("button", { name: /^Продолжить/ }).click();
  await expect(error).toHaveText("Укажите не больше двух знаков после запятой, например 10,50, и без разделителя тысяч.");
  await other.fill("25000");
  await page.getByRole("button", { name: /^Продолжить/ }).click();
  await expect(error).toHaveText(/^25\s000\s€ — больше, чем мы можем принять онлайн: введите сумму от 1\s€ до 10\s000\s€\.$/);

  await page.goto(`${stack.appUrl}/donate?lang=en&currency=usd`);
  await page.getByLabel("Other amount").fill("10,505");
  await page.getByRole("button", { name: /^Continue/ }).click();
  await expect(page.locator("[data-rf-error=amount]")).toHaveText("Use at most two decimal places, like 10.50, and no thousands separator.");
  await page.getByLabel("Other amount").fill("0.99");
  await page.getByRole("button", { name: /^Continue/ }).click();
  await expect(page.locator("[data-rf-error=amount]")).toHaveText("$0.99 is less than we can accept: enter an amount between $1 and $10,000.");
  await expectNoAxeViolations(page);
});

