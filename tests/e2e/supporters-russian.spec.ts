import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { pdfText } from "../support/pdf";
import { emailTo, expect, expectNoAxeViolations, giveThroughCheckout, linkIn, test, webhookGate } from "./fixtures";

// The same stack as supporters-account.spec.ts: email through a real SMTP server.
test.use({ stackGroup: "supporters", smtp: true });
test.describe.configure({ mode: "serial" });

const email = "russian.reader@example.org";
let gate: Awaited<ReturnType<typeof webhookGate>>;

test.beforeAll(async ({ stack }) => {
  gate = await webhookGate(stack);
});
test.afterAll(async () => {
  await gate.close();
});

/**
 * Presses a button with Stripe's webhooks held back: the page says the request waits for Stripe;
 * once they go through, the confirmed state (the page refreshes itself for a minute, then a reload).
 */
async function changeAndConfirm(page: Page, press: () => Promise<void>, pending: string | RegExp, confirmed: string | RegExp) {
  gate.hold();
  try {
    await press();
    await expect(page.getByTestId("pending-requests")).toContainText(pending, { timeout: 60_000 });
    await expect(page.getByTestId("pending-requests")).toContainText("ждём подтверждения от Stripe");
  } finally {
    gate.release();
  }
  await expect(async () => {
    if (await page.getByTestId("pending-requests").isVisible()) await page.reload();
    await expect(page.getByTestId("pending-requests")).toHaveCount(0, { timeout: 5_000 });
    await expect(page.getByTestId("gift-status")).toHaveText(confirmed, { timeout: 1_000 });
  }).toPass({ timeout: 120_000 });
}

test("a monthly gift in Russian; the receipt's manage link opens the gift without an account, and pausing and resuming from it work", async ({ page, browser, stack }) => {
  test.setTimeout(360_000);
  const giving = await browser.newContext();
  try {
    await giveThroughCheckout(await giving.newPage(), stack, { frequency: "monthly", amount: 10, email, lang: "ru" });
  } finally {
    await giving.close();
  }

  const receipt = await emailTo(stack, email, (m) => m.text.includes("/manage?token="));
  expect(receipt.language).toBe("ru");
  const manageLink = linkIn(receipt, `${stack.appUrl}/manage?token=`);
  expect(new URL(manageLink).searchParams.get("lang")).toBe("ru");

  // The test's own page, never signed in: the link alone is enough.
  const stranger = page;
  {
    await stranger.goto(manageLink);
    await expect(stranger.getByRole("heading", { level: 1, name: "Ваш регулярный подарок" })).toBeVisible();
    await expect(stranger.locator("section[lang=ru]")).toHaveCount(1);
    await expect(stranger.getByTestId("gift-status")).toHaveText(/^Следующий платёж: 10,00\s€, .+\.$/);
    await expectNoAxeViolations(stranger);

    await changeAndConfirm(
      stranger,
      async () => {
        await stranger.getByLabel("Приостановить на", { exact: true }).selectOption("2");
        await stranger.getByRole("button", { name: "Приостановить подарок" }).click();
      },
      /Приостанавливаем до \d/,
      /^Приостановлен до .+: до этой даты платежей не будет\.$/,
    );
    await expectNoAxeViolations(stranger);
    await changeAndConfirm(stranger, () => stranger.getByRole("button", { name: "Возобновить сейчас" }).click(), "Возобновляем", /^Следующий платёж: 10,00\s€/);

    // The same page in English, asked for by the address.
    const english = new URL(manageLink);
    english.searchParams.set("lang", "en");
    await stranger.goto(english.toString());
    await expect(stranger.getByRole("heading", { level: 1, name: "Your recurring gift" })).toBeVisible();
    await expectNoAxeViolations(stranger);

    // An altered link opens nothing.
    await stranger.goto(manageLink.replace(/token=./, (t) => `${t.slice(0, -1)}${t.endsWith("A") ? "B" : "A"}`));
    await expect(stranger.getByRole("heading", { level: 1, name: "Ссылка не работает" })).toBeVisible();
    await expect(stranger.getByTestId("gift-status")).toHaveCount(0);
    await expectNoAxeViolations(stranger);
  }
  const requests = await stack.query<{ kind: string; status: string; requested_by: string }>(
    `select r.kind, r.status, r.requested_by from gift_requests r join recurring_gifts g on g.id = r.recurring_gift_id
       join supporters s on s.id = g.supporter_id where s.email = $1 order by r.requested_at`,
    [email],
  );
  expect(requests).toEqual([
    { kind: "pause", status: "confirmed", requested_by: "manage_link" },
    { kind: "resume", status: "confirmed", requested_by: "manage_link" },
  ]);
});

test("signs in in Russian, downloads the statement in Russian (Cyrillic in the PDF), and erases the data", async ({ page, stack }) => {
  test.setTimeout(300_000);
  await page.goto(`${stack.appUrl}/sign-in?lang=ru`);
  await expect(page.getByRole("heading", { level: 1, name: "Вход в личный кабинет" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  await expectNoAxeViolations(page);
  const before = stack.smtp!.received.length;
  await page.getByLabel("Ваш адрес электронной почты").fill(email);
  await page.getByRole("button", { name: "Прислать ссылку для входа" }).click();
  await page.waitForURL(`${stack.appUrl}/sign-in/sent**`);
  await expect(page.getByRole("heading", { level: 1, name: "Проверьте почту" })).toBeVisible();
  await expectNoAxeViolations(page);

  const message = await emailTo(stack, email, (m) => stack.smtp!.received.indexOf(m) >= before && m.text.includes("/sign-in/confirm?"));
  expect(message.language).toBe("ru");
  const link = linkIn(message, `${stack.appUrl}/sign-in/confirm?`);
  expect(new URL(link).searchParams.get("lang")).toBe("ru");
  const scanned = await fetch(link);
  expect(scanned.status).toBe(200);
  expect(scanned.headers.getSetCookie()).toEqual([]);

  await page.goto(link);
  await expect(page.getByText(`Вы входите как ${email}.`)).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Войти" }).click();
  await page.waitForURL(`${stack.appUrl}/account**`);
  if (!page.url().includes("lang=ru")) await page.goto(`${stack.appUrl}/account?lang=ru`);
  await expect(page.getByRole("heading", { level: 1, name: "Личный кабинет" })).toBeVisible();
  await expect(page.getByTestId("account-email")).toHaveText(`Вы вошли как ${email}`);
  await expect(page.getByTestId("gift-status")).toHaveText(/^Следующий платёж: 10,00\s€/);
  await expectNoAxeViolations(page);

  const statementLink = page.getByRole("link", { name: /^Выписка за \d{4} год \(PDF\)$/ });
  const year = /\d{4}/.exec((await statementLink.textContent())!)![0];
  const [download] = await Promise.all([page.waitForEvent("download"), statementLink.click()]);
  const text = await pdfText(await readFile((await download.path())!));
  expect(text).toContain(`Выписка о пожертвованиях за ${year} год`);
  expect(text).toMatch(/EUR 10,00\s€ 0,00\s€ 0,00\s€ 10,00\s€/);

  // The spent link, opened again: the problem page, in Russian.
  await page.goto(link);
  await page.getByRole("button", { name: "Войти" }).click();
  await page.waitForURL(`${stack.appUrl}/sign-in/problem**`);
  await expect(page.getByRole("heading", { level: 1, name: "Эту ссылку для входа нельзя использовать" })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.goto(`${stack.appUrl}/account?lang=ru`);
  const form = page.getByTestId("erase-form");
  await expect(form).toContainText("Регулярных пожертвований, которые будут отменены немедленно: 1.");
  await form.getByLabel("Введите ERASE для подтверждения").fill("ERASE");
  await form.getByRole("button", { name: "Удалить мои данные" }).click();
  await page.waitForURL(`${stack.appUrl}/account/erased**`, { timeout: 60_000 });
  await page.reload();
  expect(new URL(page.url()).pathname).toBe("/account/erased");
  await expect(page.getByRole("heading", { level: 1, name: "Ваши данные удалены" })).toBeVisible();
  await expectNoAxeViolations(page);
  const left = await stack.query<{ n: string | number }>("select count(*) as n from supporters where email = $1", [email]);
  expect(Number(left[0]!.n)).toBe(0);
});
