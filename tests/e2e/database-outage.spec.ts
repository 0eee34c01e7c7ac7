import { randomUUID } from "node:crypto";
import Stripe from "stripe";
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

test("a burst of gifts whose webhooks arrive while the database is stopped for ten seconds ends in the ledger the same as without the outage: each once", async ({ stack }) => {
  test.setTimeout(180_000);
  const proxy = stack.databaseProxy!;
  const address = new URL(stack.sandboxUrl);
  const stripe = new Stripe("sk_test_e2e_burst", { host: address.hostname, port: address.port, protocol: "http", telemetry: false, maxNetworkRetries: 0 });
  const run = randomUUID().slice(0, 8);
  const GIFTS = 16;
  /** A gift as the app's Checkout Session makes one, paid on the stand-in: its webhooks go out at once. */
  const give = async (i: number) => {
    const metadata = { kind: "readerfund_gift", frequency: "once", locale: "en", attempt_id: randomUUID() };
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      submit_type: "donate",
      customer_creation: "always",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 1000 + i * 100, product_data: { name: "Gift" } } }],
      metadata,
      payment_intent_data: { metadata },
      success_url: `${stack.appUrl}/donate/thank-you?session_id={CHECKOUT_SESSION_ID}`,
    });
    await stack.sandboxControl("POST", `/_sandbox/checkout/sessions/${session.id}/pay`, { email: `burst-${run}-${i}@example.org`, card: "4242424242424242" });
  };

  // Half the burst arrives with the database there, the rest while it is stopped; it comes back ten seconds later.
  await Promise.all(Array.from({ length: GIFTS / 2 }, (_, i) => give(i)));
  await proxy.cut();
  await Promise.all(Array.from({ length: GIFTS / 2 }, (_, i) => give(GIFTS / 2 + i)));
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  proxy.restore();

  // Stripe retries what it could not deliver; the workers apply it.
  const mine = `burst-${run}-%`;
  await expect
    .poll(async () => Number((await stack.query<{ n: string }>("select count(*) as n from payments p join supporters s on s.id = p.supporter_id where s.email like $1", [mine]))[0]!.n), {
      timeout: 120_000,
      intervals: [500],
    })
    .toBe(GIFTS);
  await stack.sandboxControl("POST", "/_sandbox/webhooks/flush", { timeout_ms: 60_000 });
  const payments = await stack.query<{ amount_minor: string | number }>(
    "select p.amount_minor from payments p join supporters s on s.id = p.supporter_id where s.email like $1 order by p.amount_minor",
    [mine],
  );
  expect(payments.map((row) => Number(row.amount_minor))).toEqual(Array.from({ length: GIFTS }, (_, i) => 1000 + i * 100));
  const receipts = await stack.query<{ n: string }>("select count(*) as n from outbound_emails where to_address like $1", [mine]);
  expect(Number(receipts[0]!.n)).toBe(GIFTS);
  const failed = await stack.query<{ n: string }>("select count(*) as n from stripe_events where status = 'failed'", []);
  expect(Number(failed[0]!.n)).toBe(0);
  // The outage was real: deliveries failed while the database was stopped and came again.
  const { data: deliveries } = await stack.sandboxControl<{ data: Array<{ attempt: number; ok: boolean }> }>("GET", "/_sandbox/webhooks/deliveries");
  expect(deliveries.some((delivery) => !delivery.ok)).toBe(true);
  expect(deliveries.some((delivery) => delivery.attempt > 1 && delivery.ok)).toBe(true);
});
