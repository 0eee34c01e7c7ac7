import { expectNoAxeViolations, expect, payOnCheckoutPage, test } from "./fixtures";

type GiftRow = { amount_minor: string | number; currency: string; article_url: string | null; campaign: string | null; frequency: string };
type PaymentRow = { amount_minor: string | number; fee_minor: string | number; net_minor: string | number; currency: string };

const sessionIdOf = (url: string) => new URL(url).searchParams.get("session_id")!;

test("a reader gives once from the article footer, and the gift is in the ledger", async ({ page, stack }) => {
  const foreignRequests: string[] = [];
  page.on("request", (request) => {
    const origin = new URL(request.url()).origin;
    if (origin !== new URL(stack.appUrl).origin && origin !== new URL(stack.sandboxUrl).origin) foreignRequests.push(request.url());
  });
  const requestsBeforeCheckout: string[] = [];
  const recordAppRequests = (request: { url: () => string }) => requestsBeforeCheckout.push(request.url());
  page.on("request", recordAppRequests);

  await page.goto(`${stack.appUrl}/`);
  const picker = page.getByRole("region", { name: "Support independent journalism" });
  await expect(picker.getByText("Not ready to support today?")).toBeVisible();
  await expect(picker.getByRole("radio", { name: "Once" })).toBeChecked();
  await expect(picker.getByRole("radio", { name: /Monthly/ })).toBeEnabled();
  await expectNoAxeViolations(page);

  await picker.getByText("€50", { exact: true }).click();
  await picker.getByRole("button", { name: "Continue: €50 once" }).click();
  // Once, before Checkout, a one-time giver is offered a monthly gift instead.
  await expect(picker.getByText("Would you make it monthly?")).toBeVisible();
  await expect(picker.getByRole("button", { name: "Give €10 every month" })).toBeFocused();
  await expectNoAxeViolations(page);
  await picker.getByRole("button", { name: "Give €50 once" }).click();

  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  page.off("request", recordAppRequests);
  // Until Continue, the page talked to our origin only: no third-party scripts, fonts or trackers.
  expect(requestsBeforeCheckout.filter((url) => new URL(url).origin !== new URL(stack.appUrl).origin).filter((url) => !url.startsWith(`${stack.sandboxUrl}/c/pay/`))).toEqual([]);
  await expect(page.getByTestId("checkout-amount")).toHaveText("€50.00");

  await payOnCheckoutPage(page, "4242 4242 4242 4242", "footer.reader@example.org");
  await page.waitForURL(`${stack.appUrl}/donate/thank-you?session_id=*`);
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your gift of €50.00 has been received.");
  await expectNoAxeViolations(page);
  const sessionId = sessionIdOf(page.url());

  const { gifts, payments, supporters } = await stack.withDatabase(async (query) => ({
    gifts: await query<GiftRow>("select amount_minor, currency, article_url, campaign, frequency from gifts where stripe_checkout_session_id = $1", [sessionId]),
    payments: await query<PaymentRow>(
      "select p.amount_minor, p.fee_minor, p.net_minor, p.currency from payments p join gifts g on g.id = p.gift_id where g.stripe_checkout_session_id = $1",
      [sessionId],
    ),
    supporters: await query<{ email: string }>("select email from supporters where email = $1", ["footer.reader@example.org"]),
  }));
  expect(gifts).toEqual([{ amount_minor: expect.anything(), currency: "eur", article_url: `${stack.appUrl}/`, campaign: "article-footer", frequency: "once" }]);
  expect(Number(gifts[0]!.amount_minor)).toBe(5000);
  // €50.00 at 1.5% + €0.25 = €1.00 fee, €49.00 net.
  expect(payments.map((p) => [Number(p.amount_minor), Number(p.fee_minor), Number(p.net_minor), p.currency])).toEqual([[5000, 100, 4900, "eur"]]);
  expect(supporters).toHaveLength(1);

  // The ledger survives a restart of the app (the query above restarted it on the embedded database).
  await page.reload();
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your gift of €50.00 has been received.");

  // Without SMTP the receipt lands in the local mailbox, listed at /mailbox.
  await expect(async () => {
    await page.goto(`${stack.appUrl}/mailbox`);
    await expect(page.getByRole("row").filter({ hasText: "footer.reader@example.org" })).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expectNoAxeViolations(page);
  const row = page.getByRole("row").filter({ hasText: "footer.reader@example.org" });
  await expect(row).toContainText("€50.00");
  await row.getByRole("link").click();
  await expect(page.getByTestId("mailbox-text")).toContainText("€50.00");
  await expect(page.frameLocator("iframe.mailbox-html").getByText("€50.00").first()).toBeVisible();
  await expectNoAxeViolations(page, { exclude: ["iframe.mailbox-html"] });
  // The email itself, as a mail client would show it.
  await page.goto(`${stack.appUrl}/mailbox/message/html?id=${new URL(page.url()).searchParams.get("id")}`);
  await expect(page.getByText("€50.00").first()).toBeVisible();
  await expectNoAxeViolations(page);
  expect(foreignRequests).toEqual([]);
});

test("a declined card is refused on the checkout page and nothing is recorded until a good card pays", async ({ page, stack }) => {
  await page.goto(`${stack.appUrl}/donate`);
  await page.getByLabel("Currency").selectOption("usd");
  await page.getByLabel(/Other amount/).fill("12.34");
  await page.getByRole("button", { name: "Continue: $12.34 once" }).click();
  await page.getByRole("button", { name: "Give $12.34 once" }).click();
  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  await expect(page.getByTestId("checkout-amount")).toHaveText("$12.34");
  const checkoutSessionId = /\/c\/pay\/(cs_test_\w+)/.exec(page.url())![1]!;

  await payOnCheckoutPage(page, "4000 0000 0000 0002", "declined.reader@example.org");
  await expect(page.getByTestId("checkout-error")).toHaveText("Your card was declined.");
  expect(page.url()).toContain("/c/pay/");
  expect(await stack.query("select 1 from gifts where stripe_checkout_session_id = $1", [checkoutSessionId])).toEqual([]);

  await page.goto(`${stack.sandboxUrl}/c/pay/${checkoutSessionId}`);
  await payOnCheckoutPage(page, "4242424242424242", "declined.reader@example.org");
  await page.waitForURL(`${stack.appUrl}/donate/thank-you?session_id=*`);
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your gift of $12.34 has been received.");
  const rows = await stack.query<{ gifts: number; payments: number }>(
    "select count(distinct g.id)::int as gifts, count(p.id)::int as payments from gifts g left join payments p on p.gift_id = g.id where g.stripe_checkout_session_id = $1",
    [checkoutSessionId],
  );
  expect(rows).toEqual([{ gifts: 1, payments: 1 }]);
});

test("the picker works by keyboard alone and announces a bad amount", async ({ page, stack }) => {
  await page.goto(`${stack.appUrl}/donate`);
  await expectNoAxeViolations(page);

  // Tab from the top of the page to the frequency choice, then through to the amount.
  await page.keyboard.press("Tab"); // skip link
  const once = page.getByRole("radio", { name: "Once" });
  for (let i = 0; i < 10 && !(await once.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(once).toBeFocused();
  await page.keyboard.press("Tab"); // the checked amount
  await expect(page.getByRole("radio", { name: /€25/ })).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("radio", { name: /€50/ })).toBeChecked();
  await page.keyboard.press("Tab"); // other amount
  await expect(page.getByLabel(/Other amount/)).toBeFocused();
  await page.keyboard.type("0.50");
  await page.keyboard.press("Enter");

  const custom = page.getByLabel(/Other amount/);
  await expect(page.getByText("€0.50 is less than we can accept: enter an amount between €1 and €10,000.")).toBeVisible();
  await expect(custom).toHaveAttribute("aria-invalid", "true");
  await expect(custom).toBeFocused();
  await expect(page.getByRole("status").filter({ hasText: "Please correct the highlighted field." })).toBeVisible();
  await expectNoAxeViolations(page);

  await custom.fill("7");
  await page.keyboard.press("Enter");
  // The monthly offer takes the focus; the reader tabs past it to keep the gift as it was.
  await expect(page.getByRole("button", { name: "Give €5 every month" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Give €7 once" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  await expect(page.getByTestId("checkout-amount")).toHaveText("€7.00");
});

test("a cancelled checkout returns to the picker with the reader's choices", async ({ page, stack }) => {
  await page.goto(`${stack.appUrl}/donate`);
  await page.getByLabel("Currency").selectOption("gbp");
  await page.getByText("£50", { exact: true }).click();
  await page.getByRole("button", { name: "Continue: £50 once" }).click();
  await page.getByRole("button", { name: "Give £50 once" }).click();
  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  await page.getByRole("link", { name: /Back/ }).click();

  await page.waitForURL(`${stack.appUrl}/donate?**`);
  await expect(page.getByRole("status").filter({ hasText: "nothing was charged" })).toBeVisible();
  await expect(page.getByLabel("Currency")).toHaveValue("gbp");
  await expect(page.getByRole("radio", { name: /£50/ })).toBeChecked();
});
