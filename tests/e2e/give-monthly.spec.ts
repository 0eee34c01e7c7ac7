import { expectNoAxeViolations, expect, payOnCheckoutPage, type Query, test, waitForLedger } from "./fixtures";

type RecurringGiftRow = {
  id: string;
  stripe_subscription_id: string;
  frequency: string | null;
  interval: string;
  amount_minor: string | number;
  currency: string;
  status: string;
  campaign: string | null;
  current_period_end: Date | string | null;
};
type PaymentRow = {
  recurring_gift_id: string;
  billing_reason: string | null;
  amount_minor: string | number;
  currency: string;
  period_start: Date | string | null;
  period_end: Date | string | null;
  stripe_invoice_id: string | null;
};

// This file moves the stand-in's clock a month on, which no other test should live with (the clock
// only moves forward): it runs on a stack of its own, and its renewal test comes last.
test.use({ stackGroup: "give-monthly" });

const sessionIdOf = (url: string) => new URL(url).searchParams.get("session_id")!;
const utcDate = (unix: number) => new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(unix * 1000);
const seconds = (value: Date | string | null) => (value === null ? null : Math.floor(new Date(value).getTime() / 1000));

/** The recurring gift a Checkout Session started, its payments (oldest first), and its supporter. */
async function readLedger(query: Query, sessionId: string, email: string) {
  const gifts = await query<RecurringGiftRow>(
    `select id, stripe_subscription_id, frequency, interval, amount_minor, currency, status, campaign, current_period_end
       from recurring_gifts where stripe_checkout_session_id = $1`,
    [sessionId],
  );
  const payments = gifts[0]
    ? await query<PaymentRow>(
        `select recurring_gift_id, billing_reason, amount_minor, currency, period_start, period_end, stripe_invoice_id
           from payments where recurring_gift_id = $1 order by period_start`,
        [gifts[0].id],
      )
    : [];
  const supporters = await query<{ email: string }>("select email from supporters where email = $1", [email]);

  return { gifts, payments, supporters };
}

test("annual presets are labelled per year, and a cancelled annual checkout comes back as annual", async ({ page, stack }) => {
  await page.goto(`${stack.appUrl}/donate`);
  await page.getByText("Annual", { exact: true }).click();
  await expect(page.getByRole("radio", { name: /^€100 per year/ })).toBeChecked();
  await page.getByLabel(/Other amount per year/).fill("75");
  await expect(page.getByRole("button", { name: "Continue: €75 every year" })).toBeVisible();
  await page.getByLabel(/Other amount per year/).fill("0.50");
  await expect(page.getByRole("button", { name: "Continue", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await expect(page.getByText("€0.50 is less than we can accept: enter an amount between €1 and €10,000.")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Please correct the highlighted field." })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByLabel(/Other amount per year/).fill("75");
  await page.getByRole("button", { name: "Continue: €75 every year" }).click();
  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  await expect(page.getByTestId("checkout-amount")).toContainText("€75.00");
  await page.getByRole("link", { name: /Back/ }).click();

  await page.waitForURL(`${stack.appUrl}/donate?**`);
  await expect(page.getByRole("status").filter({ hasText: "nothing was charged" })).toBeVisible();
  await expect(page.getByRole("radio", { name: "Annual" })).toBeChecked();
  await expect(page.getByLabel(/Other amount per year/)).toHaveValue("75");
});

test("without JavaScript, a monthly gift still reaches Checkout from the plain form", async ({ browser, stack }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await page.goto(`${stack.appUrl}/donate?frequency=monthly&currency=eur&amount=20`);
    await expect(page.getByRole("radio", { name: "Monthly" })).toBeChecked();
    await expect(page.getByRole("radio", { name: /^€20 per month/ })).toBeChecked();
    // Without the script the button cannot know what the reader changes, so it states no terms.
    await expect(page.getByRole("button", { name: "Continue", exact: true })).toBeVisible();
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
    await expect(page.getByTestId("checkout-amount")).toContainText("€20.00");
  } finally {
    await context.close();
  }
});

test("a reader gives monthly, the gift and its first payment are in the ledger, and a month later the second payment", async ({ page, stack }) => {
  // Two trips through the worker, and on the embedded database an app restart per ledger read.
  test.setTimeout(240_000);
  const email = "monthly.reader@example.org";
  const appOrigin = new URL(stack.appUrl).origin;
  const foreignRequests: string[] = [];
  page.on("request", (request) => {
    const origin = new URL(request.url()).origin;
    if (origin !== appOrigin && origin !== new URL(stack.sandboxUrl).origin) foreignRequests.push(request.url());
  });
  const requestsBeforeCheckout: string[] = [];
  const recordAppRequests = (request: { url: () => string }) => requestsBeforeCheckout.push(request.url());
  page.on("request", recordAppRequests);

  await page.goto(`${stack.appUrl}/donate`);
  const picker = page.getByRole("region", { name: "Support independent journalism" });
  await expect(picker.getByRole("radio", { name: "Once" })).toBeChecked();
  await picker.getByText("Monthly", { exact: true }).click();
  await expect(picker.getByRole("radio", { name: "Monthly" })).toBeChecked();
  // The presets are the monthly ones, labelled per month, with the suggested one chosen.
  await expect(picker.getByRole("radio", { name: /^€10 per month/ })).toBeChecked();
  await expect(picker.getByLabel(/Other amount per month/)).toBeVisible();
  await expect(picker.getByRole("button", { name: "Continue: €10 every month" })).toBeVisible();
  await expectNoAxeViolations(page);

  await picker.getByText("€20 per month").click();
  await expect(picker.getByRole("radio", { name: /^€20 per month/ })).toBeChecked();
  await picker.getByRole("button", { name: "Continue: €20 every month" }).click();

  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  page.off("request", recordAppRequests);
  // Until Continue, the page talked to our origin only: no third-party scripts, fonts or trackers.
  expect(requestsBeforeCheckout.filter((url) => new URL(url).origin !== appOrigin).filter((url) => !url.startsWith(`${stack.sandboxUrl}/c/pay/`))).toEqual([]);
  await expect(page.getByTestId("checkout-amount")).toContainText("€20.00");

  await payOnCheckoutPage(page, "4242 4242 4242 4242", email, /^(Subscribe|Pay|Donate|Start)\b/);
  await page.waitForURL(`${stack.appUrl}/donate/thank-you?session_id=*`);
  const sessionId = sessionIdOf(page.url());
  // Shown from Stripe's session at first, then from the ledger once the webhook has recorded it.
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your monthly gift of €20.00 has been set up.", { timeout: 60_000 });
  const nextPayment = page.getByTestId("next-payment");
  await expect(nextPayment).toContainText(/^The next payment of €20\.00 will be on \d{1,2} \w+ \d{4}\.$/);
  await expectNoAxeViolations(page);

  const first = await waitForLedger(
    stack,
    (query) => readLedger(query, sessionId, email),
    ({ gifts, payments }) => gifts.length === 1 && payments.length >= 1,
  );
  expect(first.gifts).toEqual([
    expect.objectContaining({ frequency: "monthly", interval: "month", currency: "eur", status: "active", campaign: "donate-page" }),
  ]);
  const gift = first.gifts[0]!;
  expect(Number(gift.amount_minor)).toBe(2000);
  expect(first.payments.map((p) => [p.billing_reason, Number(p.amount_minor), p.currency])).toEqual([["subscription_create", 2000, "eur"]]);
  expect(first.supporters).toHaveLength(1);
  const firstPeriodEnd = seconds(first.payments[0]!.period_end)!;
  expect(seconds(gift.current_period_end)).toBe(firstPeriodEnd);
  // The thank-you page names the same date the ledger holds, the day it is in UTC whatever the server's zone.
  expect(seconds(await nextPayment.locator("time").getAttribute("datetime"))).toBe(firstPeriodEnd);
  await expect(nextPayment).toHaveText(`The next payment of €20.00 will be on ${utcDate(firstPeriodEnd)}.`);

  // To the end of the paid period, and on until the renewal's invoice is charged.
  expect(await stack.clock.advanceToRenewal(gift.stripe_subscription_id)).toBe(firstPeriodEnd);

  const renewed = await waitForLedger(
    stack,
    (query) => readLedger(query, sessionId, email),
    ({ payments }) => payments.some((p) => p.billing_reason === "subscription_cycle"),
    { timeoutMs: 120_000 },
  );
  expect(renewed.payments.map((p) => [p.billing_reason, Number(p.amount_minor), p.currency, p.recurring_gift_id])).toEqual([
    ["subscription_create", 2000, "eur", gift.id],
    ["subscription_cycle", 2000, "eur", gift.id],
  ]);
  const [createPayment, cyclePayment] = renewed.payments;
  // The second payment pays for the period that follows the first, on an invoice of its own.
  expect(seconds(cyclePayment!.period_start)).toBe(firstPeriodEnd);
  expect(cyclePayment!.stripe_invoice_id).not.toBe(createPayment!.stripe_invoice_id);
  expect(renewed.gifts[0]).toMatchObject({ id: gift.id, status: "active" });
  expect(seconds(renewed.gifts[0]!.current_period_end)).toBeGreaterThan(firstPeriodEnd);

  // The thank-you page, read again, moves on to the next period's date.
  await page.reload();
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your monthly gift of €20.00 has been set up.");
  expect(seconds(await nextPayment.locator("time").getAttribute("datetime"))).toBe(seconds(renewed.gifts[0]!.current_period_end));
  expect(foreignRequests).toEqual([]);
});
