import { createServer, type Server } from "node:http";
import type { Page } from "@playwright/test";
import { emailTo, expect, expectNoAxeViolations, linkIn, payOnCheckoutPage, type Stack, test } from "./fixtures";

/**
 * Issue 13, end to end: an admin signs in by the emailed link and creates a campaign with a goal on
 * /finance/campaigns; a reader gives through /donate for that campaign; once the webhooks are
 * recorded, the picker embedded in an article shows the gift in its progress bar, with no deploy.
 * The sign-in email goes through a real SMTP server, so this file has a stack of its own.
 */
test.use({ stackGroup: "campaign-progress", smtp: true });
test.describe.configure({ mode: "serial" });

const ADMIN = "admin@example.org";
const SLUG = "spring-e2e";
let articleServer: Server;

test.beforeAll(async ({ stack }) => {
  const origin = stack.articleOrigin;
  articleServer = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    // The tag far below the first screen, as on a real article: the box arrives while its slot is still out of sight.
    res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Article</title>
<link rel="canonical" href="https://news.example/2026/12/spring">
<style>body{font:18px/1.6 Georgia,serif;max-width:40rem;margin:0 auto;padding:1rem}</style></head>
<body><main><h1>The spring drive</h1><div style="height:300vh" aria-hidden="true"></div>
<script src="${stack.appUrl}/embed/loader.js" data-campaign="${SLUG}"></script>
<p id="after">The end of the article.</p></main></body></html>`);
  });
  await new Promise<void>((resolve) => articleServer.listen(Number(new URL(origin).port), "127.0.0.1", resolve));
});

test.afterAll(async () => {
  await new Promise((resolve) => articleServer.close(resolve));
});

async function signInAsAdmin(page: Page, stack: Stack) {
  await page.goto(`${stack.appUrl}/finance/campaigns`);
  // Nobody is sent to sign in, and back here afterwards.
  await page.waitForURL(`${stack.appUrl}/sign-in**`);
  await page.getByLabel("Your email address").fill(ADMIN);
  const before = stack.smtp!.received.length;
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.waitForURL(`${stack.appUrl}/sign-in/sent**`);
  const message = await emailTo(stack, ADMIN, (m) => stack.smtp!.received.indexOf(m) >= before && m.text.includes("/sign-in/confirm?"));
  await page.goto(linkIn(message, `${stack.appUrl}/sign-in/confirm?`));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
}

test("an admin creates a campaign with a goal; a reader's gift shows in the embedded picker's progress bar", async ({ browser, stack }) => {
  test.setTimeout(300_000);
  const admin = await browser.newContext();
  const page = await admin.newPage();
  await signInAsAdmin(page, stack);

  await page.goto(`${stack.appUrl}/finance/campaigns`);
  await expect(page.getByRole("heading", { level: 1, name: "Campaigns" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Finance" }).getByRole("link", { name: "Campaigns" })).toBeVisible();
  await expect(page.getByTestId("campaign-default")).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole("link", { name: "New campaign" }).click();
  await page.waitForURL(`${stack.appUrl}/finance/campaigns/edit`);
  const form = page.getByTestId("campaign-form");
  await form.getByLabel("Slug").fill(SLUG);
  await form.getByLabel("Name").fill("Spring drive");
  const goal = form.getByRole("group", { name: "Goal" });
  await goal.getByLabel("Amount").fill("500");
  await goal.getByLabel("Currency").selectOption("eur");
  // Runs over every date the stand-in's clock may give the payment.
  await form.getByLabel("Starts on").fill("2000-01-01");
  await form.getByLabel("Ends on").fill("2999-12-31");
  const onceEur = form.getByRole("group", { name: "Once, EUR" });
  await onceEur.getByLabel("Amounts").fill("15, 30, 60, 0.50");
  await form.getByRole("button", { name: "Create campaign" }).click();

  // Checked in the browser with the server's schema: the bad preset is named, tied to its field, announced.
  const amounts = onceEur.getByLabel("Amounts");
  await expect(amounts).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("alert").filter({ hasText: "Once, EUR" })).toHaveText("Once, EUR: €0.50 is outside what a gift may be (€1 to €10,000)");
  await expectNoAxeViolations(page);
  await amounts.fill("15, 30, 60, 120");
  await onceEur.getByLabel("Suggested").fill("30");
  await form.getByRole("button", { name: "Create campaign" }).click();
  await page.waitForURL(`${stack.appUrl}/finance/campaigns/edit?slug=${SLUG}`);
  await expect(page.getByRole("heading", { level: 1, name: "Campaign: Spring drive" })).toBeVisible();

  await page.goto(`${stack.appUrl}/finance/campaigns`);
  const row = page.getByTestId(`campaign-${SLUG}`);
  await expect(row).toContainText("Running");
  await expect(row).toContainText("€500");
  await expect(row).toContainText("€0 from 0 gifts (0%)");
  await admin.close();

  // A reader gives €30 (the campaign's suggested amount) through /donate for the campaign.
  const reader = await browser.newContext();
  const donate = await reader.newPage();
  await donate.goto(`${stack.appUrl}/donate?lang=en&campaign=${SLUG}&frequency=once&currency=eur`);
  const progress = donate.locator(".rf-picker").getByRole("progressbar", { name: "€0 raised of €500" });
  await expect(progress).toBeVisible();
  await expect(donate.getByRole("radio", { name: /€30/ })).toBeChecked();
  await donate.getByRole("button", { name: /^Continue/ }).click();
  const keepOnce = donate.getByRole("button", { name: /^Give .+ once$/ });
  await expect(async () => {
    if (await keepOnce.isVisible()) await keepOnce.click();
    expect(donate.url()).toContain(`${stack.sandboxUrl}/c/pay/`);
  }).toPass({ timeout: 60_000 });
  await payOnCheckoutPage(donate, "4242 4242 4242 4242", "spring.reader@example.org");
  await donate.waitForURL(`${stack.appUrl}/donate/thank-you?session_id=*`, { timeout: 60_000 });
  await expect(donate.getByTestId("gift-confirmed")).toHaveText("Your gift of €30.00 has been received.", { timeout: 60_000 });

  // Once the webhooks are recorded, the next render of the picker counts the gift (no deploy, no cache).
  await expect(async () => {
    await stack.sandboxControl("POST", "/_sandbox/webhooks/flush", { timeout_ms: 30_000 });
    const html = await (await fetch(`${stack.appUrl}/embed/v1/picker?lang=en&campaign=${SLUG}`)).text();
    expect(html).toContain(">€30 raised of €500</p>");
  }).toPass({ timeout: 120_000 });

  // The article with the embedded picker: the bar shows the gift, and the box with its bar fits the
  // room the loader kept for it before fetching it, even when the reader jumps straight to it.
  const article = await reader.newPage();
  await article.addInitScript(() => {
    const shifts: number[] = [];
    (window as unknown as { __shifts: number[] }).__shifts = shifts;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as Array<{ value: number; hadRecentInput: boolean }>) if (!entry.hadRecentInput) shifts.push(entry.value);
    }).observe({ type: "layout-shift", buffered: true });
  });
  await article.goto(`${stack.articleOrigin}/article`);
  const slot = article.locator(".readerfund-slot");
  const before = await slot.evaluate((element) => ({ reserved: element.getBoundingClientRect().height, afterTop: document.getElementById("after")!.getBoundingClientRect().top + scrollY }));
  await slot.scrollIntoViewIfNeeded();
  const picker = article.locator(".rf-picker[data-rf-mounted]");
  const bar = picker.getByRole("progressbar", { name: "€30 raised of €500" });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute("value", "3000");
  await expect(bar).toHaveAttribute("max", "50000");
  await expect(picker.locator(".rf-progress-text")).toHaveText("€30 raised of €500");
  // Above the presets.
  const [barBox, firstPreset] = [await bar.boundingBox(), await picker.locator("input[name=amount] + label").first().boundingBox()];
  expect(barBox!.y + barBox!.height).toBeLessThan(firstPreset!.y);
  const boxHeight = await picker.evaluate((element) => element.getBoundingClientRect().height);
  expect(before.reserved - boxHeight, `room kept ${before.reserved} px for a box of ${boxHeight} px`).toBeGreaterThanOrEqual(0);
  expect(await article.locator("#after").evaluate((element) => element.getBoundingClientRect().top + scrollY)).toBe(before.afterTop);
  expect(await article.evaluate(() => (window as unknown as { __shifts: number[] }).__shifts)).toEqual([]);
  await expectNoAxeViolations(article);
  await reader.close();
});
