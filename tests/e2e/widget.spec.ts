import { createServer, type Server } from "node:http";
import type { Page, Request } from "@playwright/test";
import { expectNoAxeViolations, expect, payOnCheckoutPage, type Stack, test } from "./fixtures";

/**
 * The widget as a newsroom embeds it: one script tag on an article page served from another
 * origin (127.0.0.1 here, the app on localhost), with the CDN's country header added to the
 * requests that reach the app, as a CDN would.
 */
let articleServer: Server;
let articleOrigin: string;

test.beforeAll(async ({ stack }) => {
  // One of the newsroom's own sites (NEWSROOM_ORIGINS): only those may embed the picker and call us.
  articleOrigin = stack.articleOrigin;
  const port = Number(new URL(articleOrigin).port);
  articleServer = createServer((req, res) => {
    const url = new URL(req.url ?? "/", articleOrigin);
    const lang = url.searchParams.get("lang") ?? "en";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>Article</title>
<link rel="canonical" href="https://news.example/2026/11/exile">
<style>body{font:18px/1.6 Georgia,serif;max-width:40rem;margin:0 auto;padding:1rem}</style></head>
<body><main><h1>How a newsroom in exile keeps reporting</h1>
<p>Its reporters still file from the country, under their own names or none.</p>
<div style="height:260vh" aria-hidden="true"></div>
<p>The end of the article.</p>
<script src="${stack.appUrl}/embed/loader.js" data-section="features" data-campaign="article-footer" data-variant="embed"></script>
<footer><p>Article footer</p></footer></main></body></html>`);
  });
  await new Promise<void>((resolve) => articleServer.listen(port, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  await new Promise((resolve) => articleServer.close(resolve));
});

type Watch = { requests: string[]; stop: () => void };

/** Every request the page makes, until stopped (the redirect to Checkout). */
function watchRequests(page: Page): Watch {
  const requests: string[] = [];
  const record = (request: Request) => requests.push(request.url());
  page.on("request", record);

  return { requests, stop: () => page.off("request", record) };
}

/** Opens the article as a reader from `country`, with every layout shift recorded from the start. */
async function openArticle(page: Page, stack: Stack, options: { lang?: string; country: string }) {
  await page.addInitScript(() => {
    const shifts: Array<{ value: number; hadRecentInput: boolean }> = [];
    (window as unknown as { __shifts: typeof shifts }).__shifts = shifts;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as Array<{ value: number; hadRecentInput: boolean }>) {
        shifts.push({ value: entry.value, hadRecentInput: entry.hadRecentInput });
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.route(`${stack.appUrl}/embed/v1/picker*`, (route) => route.continue({ headers: { ...route.request().headers(), "cf-ipcountry": options.country } }));
  await page.goto(`${articleOrigin}/article?lang=${options.lang ?? "en"}`);
}

const layoutShifts = (page: Page) => page.evaluate(() => (window as unknown as { __shifts: Array<{ value: number; hadRecentInput: boolean }> }).__shifts);

test("embedded by one script tag: a Russian reader gives once in euros; nothing moves and nothing loads from elsewhere", async ({ page, stack }) => {
  const watch = watchRequests(page);
  await openArticle(page, stack, { lang: "ru", country: "DE" });
  await page.waitForLoadState("networkidle");
  // The loader reserved the space but fetched nothing yet: the picker is far below the screen.
  expect(watch.requests.filter((url) => url.includes("/embed/v1/picker"))).toEqual([]);
  // …and kept the picker's room before anything arrived (box-layout.spec.ts holds it to the box's real height).
  expect((await page.locator(".readerfund-slot").boundingBox())?.height).toBeGreaterThanOrEqual(500);

  await page.locator(".readerfund-slot").scrollIntoViewIfNeeded();
  const picker = page.getByRole("region", { name: "Поддержите независимую журналистику" });
  await expect(picker.getByRole("radio", { name: "Разово" })).toBeChecked();
  // Euros, from the reader's country (DE), with the suggested amount chosen.
  await expect(picker.getByLabel("Валюта")).toHaveValue("eur");
  await expect(picker.getByRole("radio", { name: /^25\s€/ })).toBeChecked();
  await page.waitForTimeout(500);
  expect(await layoutShifts(page)).toEqual([]);
  await expectNoAxeViolations(page);

  await picker.getByText(/^50\s€$/).click();
  await picker.getByRole("button", { name: /^Продолжить: 50\s€ разово$/ }).click();
  await expect(picker.getByText("Может быть, ежемесячно?")).toBeVisible();
  await expectNoAxeViolations(page);
  await picker.getByRole("button", { name: /^Дать 50\s€ разово$/ }).click();

  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  watch.stop();
  // Until Continue: the article's own origin and ours, nothing else.
  const origins = new Set(watch.requests.filter((url) => !url.startsWith(`${stack.sandboxUrl}/c/pay/`)).map((url) => new URL(url).origin));
  expect([...origins].sort()).toEqual([articleOrigin, new URL(stack.appUrl).origin].sort());
  // No shift that the reader did not cause, from first paint to Continue.
  expect((await layoutShifts(page).catch(() => [])).filter((s) => !s.hadRecentInput)).toEqual([]);
  await expect(page.getByTestId("checkout-amount")).toHaveText("€50.00");

  await payOnCheckoutPage(page, "4242 4242 4242 4242", "ru.reader@example.org");
  await page.waitForURL(`${stack.appUrl}/donate/thank-you?session_id=*`);
  await expect(page.getByTestId("gift-confirmed")).toHaveText(/^Ваш взнос 50,00\s€ получен\.$/, { timeout: 30_000 });
  // Back to the article, on the newsroom's own site (NEWSROOM_ORIGINS).
  await expect(page.getByRole("link", { name: "Вернуться к статье" })).toHaveAttribute("href", "https://news.example/2026/11/exile");
  await expectNoAxeViolations(page);
  const sessionId = new URL(page.url()).searchParams.get("session_id");

  const gifts = await stack.query<Record<string, unknown>>(
    "select amount_minor::int as amount, currency, locale, article_url, section, campaign, variant, fee_covered_minor::int as fee_covered, discreet from gifts where stripe_checkout_session_id = $1",
    [sessionId],
  );
  expect(gifts).toEqual([
    {
      amount: 5000,
      currency: "eur",
      locale: "ru",
      article_url: "https://news.example/2026/11/exile",
      section: "features",
      campaign: "article-footer",
      variant: "embed",
      fee_covered: 0,
      discreet: false,
    },
  ]);
});

test("a reader in the US gives monthly from the embed and covers the card fee: the newsroom nets the whole gift", async ({ page, stack }) => {
  test.setTimeout(180_000);
  await openArticle(page, stack, { country: "US" });
  await page.locator(".readerfund-slot").scrollIntoViewIfNeeded();
  const picker = page.getByRole("region", { name: "Support independent journalism" });
  await expect(picker.getByLabel("Currency")).toHaveValue("usd");
  await picker.getByText("Monthly", { exact: true }).click();
  await expect(picker.getByRole("radio", { name: /^\$10 per month/ })).toBeChecked();
  // $10.00 at 2.9% + 30¢: $10.61 pays a 61¢ fee and leaves $10.00.
  await picker.getByLabel("Add $0.61 to cover the card fee, so all of $10 reaches us").check();
  await picker.getByRole("button", { name: "Continue: $10.61 every month" }).click();

  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  await expect(page.getByTestId("checkout-amount")).toContainText("$10.61");
  await payOnCheckoutPage(page, "4242 4242 4242 4242", "fee.cover@example.org", /^(Subscribe|Pay|Donate|Start)\b/);
  await page.waitForURL(`${stack.appUrl}/donate/thank-you?session_id=*`);
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your monthly gift of $10.61 has been set up.", { timeout: 60_000 });
  const sessionId = new URL(page.url()).searchParams.get("session_id");

  await expect(async () => {
    await stack.sandboxControl("POST", "/_sandbox/webhooks/flush", { timeout_ms: 30_000 });
    const rows = await stack.query<Record<string, unknown>>(
      `select g.amount_minor::int as amount, g.fee_covered_minor::int as fee_covered, g.currency, g.variant,
              p.amount_minor::int as paid, p.fee_minor::int as fee, p.net_minor::int as net
         from recurring_gifts g join payments p on p.recurring_gift_id = g.id where g.stripe_checkout_session_id = $1`,
      [sessionId],
    );
    expect(rows).toEqual([{ amount: 1061, fee_covered: 61, currency: "usd", variant: "embed", paid: 1061, fee: 61, net: 1000 }]);
  }).toPass({ timeout: 90_000 });
});

test("remind me later: the email comes when due, and its link reopens the picker as the reader left it", async ({ page, stack }) => {
  test.setTimeout(240_000);
  const email = "later.reader@example.org";
  await openArticle(page, stack, { country: "FR" });
  await page.locator(".readerfund-slot").scrollIntoViewIfNeeded();
  const picker = page.getByRole("region", { name: "Support independent journalism" });
  await picker.getByText("Monthly", { exact: true }).click();
  await picker.getByText("€20 per month").click();
  await picker.getByRole("button", { name: "Remind me later" }).click();
  await expect(picker.getByRole("button", { name: "Remind me later" })).toHaveAttribute("aria-expanded", "true");
  await expect(picker.getByRole("radio", { name: "In a month" })).toBeChecked();
  await expect(picker.getByRole("radio", { name: "In a month" })).toBeFocused();
  await picker.getByLabel("Email (optional)").fill(email);
  await expectNoAxeViolations(page);
  await picker.getByRole("button", { name: "Set reminder" }).click();
  await expect(picker.getByRole("status").filter({ hasText: /^Thank you\. We will email you on / })).toBeVisible();

  // The widget stays away for this reader until then: the loader asks for nothing.
  const watch = watchRequests(page);
  await page.reload();
  await page.mouse.wheel(0, 5000);
  await page.waitForTimeout(1500);
  watch.stop();
  expect(watch.requests.filter((url) => url.startsWith(stack.appUrl) && !url.endsWith("/embed/loader.js"))).toEqual([]);
  await expect(page.locator(".readerfund-slot")).toHaveCount(0);

  const [reminder] = await stack.query<{ id: string; status: string; amount: number; frequency: string; currency: string }>(
    // This reader's: other files on the same stack set reminders of their own.
    "select id, status, amount_minor::int as amount, frequency, currency from reminders where email = $1",
    [email],
  );
  expect(reminder).toMatchObject({ status: "scheduled", amount: 2000, frequency: "monthly", currency: "eur" });

  // A month passes.
  await stack.query("update reminders set due_at = now() - interval '1 minute' where id = $1", [reminder!.id]);
  await stack.runCron();
  let text = "";
  await expect(async () => {
    await stack.runCron();
    await page.goto(`${stack.appUrl}/mailbox`);
    const row = page.getByRole("row").filter({ hasText: email });
    await expect(row).toHaveCount(1, { timeout: 1000 });
    await row.getByRole("link").click();
    text = (await page.getByTestId("mailbox-text").textContent()) ?? "";
  }).toPass({ timeout: 60_000 });
  expect(text).toContain("€20.00");
  const reopen = /(http:\/\/localhost:\d+\/donate\?reminder=[^\s)\]>]+)/.exec(text)?.[1];
  expect(reopen).toBeDefined();

  await page.goto(reopen!);
  const again = page.getByRole("region", { name: "Support independent journalism" });
  await expect(again.getByRole("status").filter({ hasText: "Welcome back" })).toBeVisible();
  await expect(again.getByRole("radio", { name: "Monthly" })).toBeChecked();
  await expect(again.getByRole("radio", { name: /^€20 per month/ })).toBeChecked();
  await expectNoAxeViolations(page);
  await again.getByRole("button", { name: "Continue: €20 every month" }).click();
  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  await payOnCheckoutPage(page, "4242 4242 4242 4242", email, /^(Subscribe|Pay|Donate|Start)\b/);
  await page.waitForURL(`${stack.appUrl}/donate/thank-you?session_id=*`);
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your monthly gift of €20.00 has been set up.", { timeout: 60_000 });

  // Reminded → gave: counted against the reminder, and the gift carries it.
  await expect(async () => {
    await stack.sandboxControl("POST", "/_sandbox/webhooks/flush", { timeout_ms: 30_000 });
    const rows = await stack.query<Record<string, unknown>>(
      `select r.status, r.email, r.gave_at is not null as gave, g.reminder_id = r.id as linked, g.article_url
         from reminders r join recurring_gifts g on g.reminder_id = r.id where r.id = $1`,
      [reminder!.id],
    );
    expect(rows).toEqual([{ status: "sent", email: null, gave: true, linked: true, article_url: "https://news.example/2026/11/exile" }]);
  }).toPass({ timeout: 90_000 });
});

test("a discreet gift: a neutral card descriptor, no address kept, no email, and a receipt to save", async ({ page, stack }) => {
  test.setTimeout(180_000);
  const email = "discreet.reader@example.org";
  await page.goto(`${stack.appUrl}/donate`);
  const picker = page.getByRole("region", { name: "Support independent journalism" });
  await expect(picker.getByRole("checkbox", { name: "Email me receipts anyway" })).toBeHidden();
  await picker.getByRole("checkbox", { name: "Give discreetly" }).check();
  await expect(picker.getByRole("checkbox", { name: "Email me receipts anyway" })).toBeVisible();
  await expect(picker.getByText(/Your card statement shows “ONLINE SERVICES”/)).toBeVisible();
  await picker.getByText("€10", { exact: true }).click();
  await picker.getByRole("button", { name: "Continue: €10 once" }).click();
  await picker.getByRole("button", { name: "Give €10 once" }).click();
  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  await expect(page.getByRole("heading", { name: "One-time payment" })).toBeVisible();
  await payOnCheckoutPage(page, "4242 4242 4242 4242", email);
  await page.waitForURL(`${stack.appUrl}/donate/thank-you?session_id=*`);
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your gift of €10.00 has been received.", { timeout: 30_000 });
  await expect(page.getByTestId("discreet-receipt")).toContainText("we sent no receipt and will not email you");
  await expectNoAxeViolations(page);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Save a receipt" }).click();
  const receipt = await (await download).path();
  const { readFileSync } = await import("node:fs");
  const html = readFileSync(receipt, "utf8");
  expect(html).toContain("€10.00");
  expect(html).not.toContain(email);
  const sessionId = new URL(page.url()).searchParams.get("session_id");

  const [row] = await stack.query<{ discreet: boolean; supporter_id: string | null; charge: string }>(
    "select g.discreet, g.supporter_id, p.stripe_charge_id as charge from gifts g join payments p on p.gift_id = g.id where g.stripe_checkout_session_id = $1",
    [sessionId],
  );
  expect(row).toMatchObject({ discreet: true, supporter_id: null });
  expect(await stack.query("select 1 from supporters where email = $1", [email])).toEqual([]);
  expect(await stack.query("select 1 from outbound_emails where to_address = $1", [email])).toEqual([]);
  const charge = (await (await fetch(`${stack.sandboxUrl}/v1/charges/${row!.charge}`, { headers: { authorization: "Bearer sk_test_readerfund_sandbox" } })).json()) as {
    calculated_statement_descriptor: string;
    description: string;
  };
  expect(charge.calculated_statement_descriptor).toBe("READERFUND* ONLINE SER");
  expect(charge.description).toBe("One-time payment");
});

test("the embedded picker works by keyboard alone: monthly, another amount, the fee covered, Continue", async ({ page, stack }) => {
  await openArticle(page, stack, { country: "FR" });
  await page.locator(".readerfund-slot").scrollIntoViewIfNeeded();
  const picker = page.getByRole("region", { name: "Support independent journalism" });
  const once = picker.getByRole("radio", { name: "Once" });
  await expect(once).toBeChecked();
  // From the top of the article, Tab reaches the picker inside its shadow root.
  await page.evaluate(() => window.scrollTo(0, 0));
  for (let i = 0; i < 15 && !(await once.evaluate((el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(once).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(picker.getByRole("radio", { name: "Monthly" })).toBeChecked();
  await page.keyboard.press("Tab");
  await expect(picker.getByRole("radio", { name: /^€10 per month/ })).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(picker.getByRole("radio", { name: /^€20 per month/ })).toBeChecked();
  await page.keyboard.press("Tab"); // other amount
  await page.keyboard.press("Tab"); // currency
  await expect(picker.getByLabel("Currency")).toBeFocused();
  await page.keyboard.press("Tab");
  const cover = picker.getByRole("checkbox", { name: "Add €0.56 to cover the card fee, so all of €20 reaches us" });
  await expect(cover).toBeFocused();
  await page.keyboard.press("Space");
  await expect(cover).toBeChecked();
  await page.keyboard.press("Tab"); // give discreetly
  await page.keyboard.press("Tab");
  await expect(picker.getByRole("button", { name: "Continue: €20.56 every month" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  await expect(page.getByTestId("checkout-amount")).toContainText("€20.56");
});

test("a choice made before the picker's script arrives is followed once it does", async ({ page, stack }) => {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(`${stack.appUrl}/embed/picker.js`, async (route) => {
    await held;
    await route.continue();
  });
  await openArticle(page, stack, { country: "FR" });
  await page.locator(".readerfund-slot").scrollIntoViewIfNeeded();
  const picker = page.getByRole("region", { name: "Support independent journalism" });
  // The markup is there (styled), the script is held back: the reader picks Monthly.
  await picker.getByText("Monthly", { exact: true }).click();
  await expect(picker.getByRole("radio", { name: /^€25/ })).toBeChecked();
  release();
  await expect(picker.getByRole("radio", { name: /^€10 per month/ })).toBeChecked();
  await expect(picker.getByRole("button", { name: "Continue: €10 every month" })).toBeVisible();
});
