import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { emailTo, expect, expectNoAxeViolations, giveThroughCheckout, linkIn, type Stack, test } from "./fixtures";

// Sign-in links arrive over real SMTP, so this file has a stack of its own.
test.use({ stackGroup: "finance", smtp: true });
test.describe.configure({ mode: "serial" });

const ADMIN = "admin@example.org";
const GIVER = "finance.giver@example.org";
let admin: { context: BrowserContext; page: Page };

/** A browser signed in as `email` with the emailed link, as a person would. */
async function signedInAs(browser: Browser, stack: Stack, email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const before = stack.smtp!.received.length;
  await page.goto(`${stack.appUrl}/sign-in`);
  await page.getByLabel("Your email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.waitForURL(`${stack.appUrl}/sign-in/sent**`);
  const message = await emailTo(stack, email, (m) => stack.smtp!.received.indexOf(m) >= before && m.text.includes("/sign-in/confirm?"));
  await page.goto(linkIn(message, `${stack.appUrl}/sign-in/confirm?`));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${stack.appUrl}/account**`);

  return { context, page };
}

test.afterAll(async () => {
  await admin?.context.close();
});

test("finance staff see the gifts on /finance, with charts, and download the payments as CSV", async ({ browser, page, stack }) => {
  test.setTimeout(300_000);
  await giveThroughCheckout(page, stack, { frequency: "monthly", amount: 20, email: GIVER });
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your monthly gift of €20.00 has been set up.", { timeout: 60_000 });
  await giveThroughCheckout(page, stack, { frequency: "once", amount: 15, email: GIVER });
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your gift of €15.00 has been received.", { timeout: 60_000 });

  admin = await signedInAs(browser, stack, ADMIN);
  const finance = admin.page;
  // The payments' day by the stand-in's clock, which need not be today's.
  const paidOn = (await stack.query<{ day: string }>("select to_char(max(paid_at) at time zone 'UTC', 'YYYY-MM-DD') as day from payments"))[0]!.day;
  await expect(async () => {
    await finance.goto(`${stack.appUrl}/finance?from=${paidOn.slice(0, 8)}01&to=${paidOn}`);
    await expect(finance.getByTestId("money-eur").first()).toContainText("€35.00", { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(finance.getByRole("heading", { level: 1, name: "Finance" })).toBeVisible();
  await expect(finance.getByTestId("mrr")).toHaveText("€20.00");
  // The charts are drawn in the browser by the bundled recharts: an SVG with bars for the day's gifts.
  for (const chart of ["chart-revenue", "chart-mrr", "chart-recurring"]) {
    await expect(finance.getByTestId(chart).locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  }
  await expect(finance.getByTestId("chart-revenue").locator(".recharts-bar-rectangle path").first()).toBeVisible();
  await expect(finance.getByTestId("latest-payments").getByRole("row")).toHaveCount(3);
  await expectNoAxeViolations(finance);

  const [download] = await Promise.all([finance.waitForEvent("download"), finance.getByRole("link", { name: "payments", exact: true }).click()]);
  expect(download.suggestedFilename()).toMatch(/^readerfund-payments-\d{4}-\d{2}-01-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = (await readFile((await download.path())!, "utf8")).trim().split("\r\n");
  expect(csv).toHaveLength(3);
  expect(csv.slice(1).map((line) => line.split(",")).map((cells) => cells.find((cell) => cell === "20.00" || cell === "15.00")).sort()).toEqual(["15.00", "20.00"]);
  expect(csv.join("\n")).not.toContain(GIVER);
});

test("an admin makes an API token: the summary answers with it, and refuses it once revoked", async ({ stack }) => {
  test.setTimeout(120_000);
  const page = admin.page;
  await page.goto(`${stack.appUrl}/finance/tokens`);
  await page.getByLabel("Name").fill("Accounting");
  await page.getByRole("button", { name: "Make the token" }).click();
  const token = await page.getByLabel("The token").inputValue();
  expect(token).toMatch(/^rf_fin_[A-Za-z0-9_-]{43}$/);
  await expectNoAxeViolations(page);

  const paidOn = (await stack.query<{ day: string }>("select to_char(max(paid_at) at time zone 'UTC', 'YYYY-MM-DD') as day from payments"))[0]!.day;
  const summary = () => fetch(`${stack.appUrl}/api/finance/summary?from=${paidOn}&to=${paidOn}&currency=eur`, { headers: { authorization: `Bearer ${token}` } });
  const answer = await summary();
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { currencies: Array<{ currency: string; grossMinor: number; recurring: { mrrMinor: number } }> };
  expect(body.currencies.map((c) => [c.currency, c.grossMinor, c.recurring.mrrMinor])).toEqual([["eur", 3500, 2000]]);

  await page.reload();
  await page.getByRole("button", { name: /^Revoke the token Accounting/ }).click();
  await page.getByRole("button", { name: /^Yes, revoke/ }).click();
  await expect(page.getByTestId("token-list")).toContainText("Revoked");
  const refused = await summary();
  expect(refused.status).toBe(401);
  expect(await refused.text()).not.toContain("3500");
});

test("an admin finds a payment whose fee differs from Stripe's and repairs it, then replays an event from the inbox, by keyboard", async ({ stack }) => {
  test.setTimeout(180_000);
  const page = admin.page;
  const [paid] = await stack.query<{ day: string; charge: string }>(
    "select to_char(paid_at at time zone 'UTC', 'YYYY-MM-DD') as day, stripe_charge_id as charge from payments where amount_minor = 1500",
  );
  const [feeBefore] = await stack.query<{ fee: number; net: number }>("select fee_minor::int as fee, net_minor::int as net from payments where stripe_charge_id = $1", [paid!.charge]);
  // The fee as a bad hand would leave it: the report must find it, and the repair put Stripe's back.
  await stack.query("update payments set fee_minor = fee_minor + 7, net_minor = net_minor - 7 where stripe_charge_id = $1", [paid!.charge]);

  await page.goto(`${stack.appUrl}/finance/reconcile`);
  await page.getByLabel("From", { exact: true }).fill(paid!.day);
  await page.getByLabel("To", { exact: true }).fill(paid!.day);
  await page.getByLabel("To", { exact: true }).press("Enter");
  const report = page.getByTestId("reconcile-report");
  await expect(report.getByRole("status").first()).toContainText("0 missing, 1 differing, 0 only in the ledger.", { timeout: 60_000 });
  await expect(page.getByTestId("differs")).toContainText(paid!.charge);
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Repair" }).focus();
  await page.keyboard.press("Enter");
  // The page is drawn again from the repaired ledger: nothing left to repair, so no Repair button.
  await expect(report.getByRole("status").first()).toContainText("The ledger agrees with Stripe.", { timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Repair" })).toHaveCount(0);
  expect(await stack.query("select fee_minor::int as fee, net_minor::int as net from payments where stripe_charge_id = $1", [paid!.charge])).toEqual([feeBefore]);

  const ledgerBefore = await stack.query<{ payments: string; gross: string }>("select count(*)::text as payments, sum(amount_minor)::text as gross from payments");
  await page.goto(`${stack.appUrl}/finance/inbox`);
  await page.getByLabel("Type starts with").fill("checkout.session.completed");
  await page.getByLabel("Type starts with").press("Enter");
  await page.waitForURL(/type=checkout\.session\.completed/);
  const rows = page.getByTestId("inbox-events").getByRole("checkbox");
  await expect(rows).toHaveCount(2);
  await expectNoAxeViolations(page);
  await rows.first().focus();
  await page.keyboard.press("Space");
  await expect(rows.first()).toBeChecked();
  await page.getByRole("button", { name: "Replay selected" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("replay-form").getByRole("status")).toHaveText("1 event queued; 1 applied, 0 failed again.", { timeout: 60_000 });
  // Applied twice, changed once: the ledger is as it was.
  expect(await stack.query("select count(*)::text as payments, sum(amount_minor)::text as gross from payments")).toEqual(ledgerBefore);
});

test("a supporter and an anonymous visitor are refused on every finance page, route and export", async ({ browser, stack }) => {
  test.setTimeout(180_000);
  const pages = ["/finance", "/finance/staff", "/finance/tokens", "/finance/audit", "/finance/inbox", "/finance/reconcile", "/finance/campaigns"];
  const routes = ["payments", "refunds", "disputes", "payouts"].map((kind) => `/finance/export/${kind}?from=2026-01-01&to=2026-01-31`);

  const supporter = await signedInAs(browser, stack, GIVER);
  for (const path of pages) {
    const response = await supporter.page.goto(`${stack.appUrl}${path}`);
    expect(response!.status(), path).toBe(403);
    await expect(supporter.page.getByRole("heading", { level: 1 })).toHaveText(/^This (page is for the newsroom's staff|is for the newsroom's admins)$/);
  }
  await expectNoAxeViolations(supporter.page);
  for (const path of routes) {
    const response = await supporter.page.request.get(`${stack.appUrl}${path}`);
    expect(response.status(), path).toBe(403);
    expect(await response.text()).not.toContain("amount");
  }
  expect((await supporter.page.request.get(`${stack.appUrl}/api/finance/summary?from=2026-01-01&to=2026-01-31`)).status()).toBe(401);
  await supporter.context.close();

  const anonymous = await browser.newContext();
  const visitor = await anonymous.newPage();
  for (const path of pages) {
    await visitor.goto(`${stack.appUrl}${path}`);
    expect(new URL(visitor.url()).pathname, path).toBe("/sign-in");
    expect(new URL(visitor.url()).searchParams.get("return")).toBe(path);
  }
  for (const path of routes) expect((await visitor.request.get(`${stack.appUrl}${path}`)).status(), path).toBe(403);
  expect((await visitor.request.get(`${stack.appUrl}/api/finance/summary?from=2026-01-01&to=2026-01-31`)).status()).toBe(401);
  await anonymous.close();
});
