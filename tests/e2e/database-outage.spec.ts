import { expect, expectNoAxeViolations, payOnCheckoutPage, test } from "./fixtures";

// This file takes the database away from the app, so it runs on a stack of its own whose app reaches
// its PostgreSQL server through a proxy. The embedded database lives inside the app's own process,
// with nothing between them to cut: the file runs on the server only (CI's second run).
test.use({ stackGroup: "database-outage", databaseProxy: true });
test.skip(!process.env.DATABASE_URL, "needs a PostgreSQL server (DATABASE_URL): the embedded database cannot be taken away from the app");

test("while the database is away, the thank-you page tells the reader, in their language, that we are catching up, and shows the gift once it is back", async ({ page, stack }) => {
  const proxy = stack.databaseProxy!;
  await page.goto(`${stack.appUrl}/donate?lang=ru`);
  const picker = page.getByRole("region", { name: "Поддержите независимую журналистику" });
  await picker.getByText(/^50\s€$/).click();
  await picker.getByRole("button", { name: /^Продолжить: 50\s€ разово$/ }).click();
  await picker.getByRole("button", { name: /^Дать 50\s€ разово$/ }).click();
  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);

  // The database goes away while the reader pays: Stripe's webhooks cannot be stored (Stripe retries
  // them), and our pages cannot read the ledger.
  await proxy.cut();
  const answeredUnavailable = page.waitForResponse((response) => response.url().includes("/api/gifts/status") && response.status() === 503);
  const thankYou = page.waitForResponse((response) => response.url().includes("/donate/thank-you"));
  await payOnCheckoutPage(page, "4242 4242 4242 4242", "outage.reader@example.org");
  expect((await thankYou).status()).toBe(200);
  // What Stripe says, and that we are catching up: not an error page.
  await expect(page.getByTestId("gift-pending")).toHaveText(/^Ваш взнос 50,00\s€: оплата прошла\. Мы записываем её\.$/);
  await expect(page.getByTestId("catching-up")).toHaveText(
    "У нас небольшая задержка с обработкой платежей, поэтому это может занять ещё несколько минут. С вашим платежом всё в порядке, больше ничего делать не нужно: страница обновится сама.",
  );
  await expectNoAxeViolations(page);
  // The page keeps asking, and is told to wait.
  expect(Number((await answeredUnavailable).headers()["retry-after"])).toBeGreaterThan(0);
  const sessionId = new URL(page.url()).searchParams.get("session_id")!;
  const asked = await fetch(`${stack.appUrl}/api/gifts/status?session_id=${sessionId}`);
  expect([asked.status, await asked.json()]).toEqual([503, { error: { code: "DATABASE_UNAVAILABLE", message: expect.any(String) } }]);

  proxy.restore();
  // Stripe's next retry stores the webhooks, the worker applies them, and the page shows the gift.
  await expect(page.getByTestId("gift-confirmed")).toHaveText(/^Ваш взнос 50,00\s€ получен\.$/, { timeout: 60_000 });
  const gifts = await stack.query<{ amount_minor: string | number; locale: string }>("select amount_minor, locale from gifts where stripe_checkout_session_id = $1", [sessionId]);
  expect(gifts.map((g) => [Number(g.amount_minor), g.locale])).toEqual([[5000, "ru"]]);
});

test("a thank-you page already asking when the database goes away keeps asking, says we are catching up, and shows the gift once it is back", async ({ page, stack }) => {
  const proxy = stack.databaseProxy!;
  const webhookUrl = `${stack.appUrl}/api/stripe/webhook`;
  // Stripe's webhooks are held back (each delivery fails, and is retried), so the page waits for
  // the gift while the database is still there.
  await stack.sandboxControl("POST", "/_sandbox/config", { webhooks: { url: `${webhookUrl}-held-back` } });
  try {
    await page.goto(`${stack.appUrl}/donate`);
    const picker = page.getByRole("region", { name: "Support independent journalism" });
    await picker.getByText("€50", { exact: true }).click();
    await picker.getByRole("button", { name: "Continue: €50 once" }).click();
    await picker.getByRole("button", { name: "Give €50 once" }).click();
    await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
    const askedWhileUp = page.waitForResponse((response) => response.url().includes("/api/gifts/status") && response.status() === 200);
    await payOnCheckoutPage(page, "4242 4242 4242 4242", "asking.reader@example.org");
    await expect(page.getByTestId("gift-pending")).toHaveText("Your gift of €50.00 went through. We are recording it now.");
    await askedWhileUp;
    await expect(page.getByTestId("catching-up")).toHaveCount(0);

    const answeredUnavailable = page.waitForResponse((response) => response.url().includes("/api/gifts/status") && response.status() === 503);
    await proxy.cut();
    await answeredUnavailable;
    await expect(page.getByTestId("catching-up")).toHaveText(
      "Our records are running a little behind, so this may take a few more minutes. Your payment is safe, and there is nothing more you need to do: this page will update by itself.",
    );
    await expect(page.getByTestId("gift-pending")).toBeVisible();
    await expectNoAxeViolations(page);
  } finally {
    proxy.restore();
    await stack.sandboxControl("POST", "/_sandbox/config", { webhooks: { url: webhookUrl } });
  }
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your gift of €50.00 has been received.", { timeout: 60_000 });
});
