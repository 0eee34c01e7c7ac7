import { readFile } from "node:fs/promises";
import type { BrowserContext, Page } from "@playwright/test";
import { pdfText } from "../support/pdf";
import { emailTo, expect, expectNoAxeViolations, giveThroughCheckout, linkIn, type Stack, test, webhookGate } from "./fixtures";

// The app sends its email through a real SMTP server the stack starts (the sign-in link and the
// receipts are caught there), so these files have a stack of their own, shared between them.
test.use({ stackGroup: "supporters", smtp: true });
test.describe.configure({ mode: "serial" });

const email = "account.reader@example.org";
let gate: Awaited<ReturnType<typeof webhookGate>>;
// One browser context for the file: the supporter stays signed in from one test to the next.
let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser, stack }) => {
  gate = await webhookGate(stack);
  context = await browser.newContext();
  page = await context.newPage();
});
test.afterAll(async () => {
  await context.close();
  await gate.close();
});

/** The account's recurring gift (the supporter has one). */
const theGift = () => page.getByTestId("recurring-gift");
const status = () => theGift().getByTestId("gift-status");

/**
 * Presses a gift's button with Stripe's webhooks held back: the page must say the request waits
 * for Stripe's confirmation; once the webhooks go through, the confirmed state. The page refreshes
 * itself while a request waits (for a minute); past that a reload reads the ledger again.
 */
async function changeAndConfirm(press: () => Promise<void>, pending: string | RegExp, confirmed: string | RegExp) {
  gate.hold();
  try {
    await press();
    await expect(theGift().getByTestId("pending-requests")).toContainText(pending, { timeout: 60_000 });
    await expect(theGift().getByTestId("pending-requests")).toContainText("waiting for Stripe to confirm");
  } finally {
    gate.release();
  }
  await expect(async () => {
    if (await theGift().getByTestId("pending-requests").isVisible()) await page.reload();
    await expect(theGift().getByTestId("pending-requests")).toHaveCount(0, { timeout: 5_000 });
    await expect(status()).toHaveText(confirmed, { timeout: 1_000 });
  }).toPass({ timeout: 120_000 });
}

test("a monthly and a one-time gift through Checkout, each with its receipt over SMTP", async ({ stack }) => {
  test.setTimeout(240_000);
  await giveThroughCheckout(page, stack, { frequency: "monthly", amount: 20, email });
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your monthly gift of €20.00 has been set up.", { timeout: 60_000 });
  await giveThroughCheckout(page, stack, { frequency: "once", amount: 15, email });
  await expect(page.getByTestId("gift-confirmed")).toHaveText("Your gift of €15.00 has been received.", { timeout: 60_000 });

  // The receipts are sent once the webhooks have recorded the gifts: the supporter is known.
  const recurring = await emailTo(stack, email, (m) => m.text.includes("/manage?token="));
  expect(recurring.text).toContain("€20.00");
  expect(linkIn(recurring, `${stack.appUrl}/manage?token=`)).toBeTruthy();
  const once = await emailTo(stack, email, (m) => m.text.includes("€15.00"));
  expect(once.text).not.toContain("/manage?token=");
});

test("signs in by keyboard with the link from the SMTP message, after a mail scanner opened it", async ({ stack }) => {
  test.setTimeout(180_000);
  await page.goto(`${stack.appUrl}/sign-in`);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to your account" })).toBeVisible();
  await expectNoAxeViolations(page);

  // Keyboard only: Tab to the field, a bad address is announced and keeps the focus, then the real one.
  const field = page.getByLabel("Your email address");
  for (let presses = 0; presses < 30 && !(await field.evaluate((el) => el === document.activeElement)); presses++) await page.keyboard.press("Tab");
  await expect(field).toBeFocused();
  await page.keyboard.type("not-an-address");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveText("Enter a valid email address, like name@example.org.");
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toBeFocused();
  await expectNoAxeViolations(page);
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(email.toUpperCase());
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Email me a sign-in link" })).toBeFocused();
  const before = stack.smtp!.received.length;
  await page.keyboard.press("Enter");

  await page.waitForURL(`${stack.appUrl}/sign-in/sent**`);
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  await expect(page.locator("main")).not.toContainText(email);
  await expectNoAxeViolations(page);

  const message = await emailTo(stack, email, (m) => stack.smtp!.received.indexOf(m) >= before && m.text.includes("/sign-in/confirm?"));
  // The text part as the mail client shows it (quoted-printable decoded by the parser), on the app's own origin.
  const link = linkIn(message, `${stack.appUrl}/sign-in/confirm?`);
  expect(new URL(link).searchParams.get("email")).toBe(email);

  // A mail scanner opens every link first: a plain GET, no cookies. It must spend nothing.
  const scanned = await fetch(link, { redirect: "follow" });
  expect(scanned.status).toBe(200);
  expect(scanned.headers.getSetCookie()).toEqual([]);
  expect(await scanned.text()).toContain("Sign in");

  await page.goto(link);
  await expect(page.getByText(`You are signing in as ${email}.`)).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${stack.appUrl}/account**`);
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await expect(page.getByTestId("account-email")).toHaveText(`Signed in as ${email}`);
  await expectNoAxeViolations(page);

  // The link worked once: opened again, it leads to the problem page.
  await page.goto(link);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${stack.appUrl}/sign-in/problem**`);
  await expect(page.getByRole("heading", { level: 1, name: "This sign-in link cannot be used" })).toBeVisible();
  await expectNoAxeViolations(page);
  // Still signed in: a spent link signs no one out.
  await page.goto(`${stack.appUrl}/account`);
  await expect(page.getByTestId("account-email")).toHaveText(`Signed in as ${email}`);
});

test("the account lists both gifts and their payments", async ({ stack }) => {
  await page.goto(`${stack.appUrl}/account`);
  await expect(theGift()).toHaveCount(1);
  await expect(theGift().getByRole("heading", { level: 3 }).first()).toContainText("€20.00");
  await expect(status()).toHaveText(/^Next payment: €20\.00 on .+\d{4}\.$/);
  const payments = page.getByRole("table", { name: /Every payment you made/ });
  await expect(payments.getByRole("row")).toHaveCount(3);
  await expect(payments).toContainText("€15.00");
  await expect(payments).toContainText("€20.00");
});

test("changes the amount, pauses and resumes, cancels and keeps the gift: pending, then confirmed", async ({ stack }) => {
  test.setTimeout(420_000);
  await page.goto(`${stack.appUrl}/account`);

  await changeAndConfirm(
    async () => {
      await theGift().getByLabel("New amount (EUR)").fill("25");
      await theGift().getByRole("button", { name: "Change my gift" }).click();
    },
    "Changing to €25.00 a month",
    /^Next payment: €25\.00 on /,
  );
  await expectNoAxeViolations(page);

  await changeAndConfirm(
    async () => {
      await theGift().getByLabel("Pause for").selectOption("1");
      await theGift().getByRole("button", { name: "Pause my gift" }).click();
    },
    /Pausing until \d/,
    /^Paused until .+\d{4}: no payments until then\.$/,
  );
  await changeAndConfirm(() => theGift().getByRole("button", { name: "Resume now" }).click(), "Resuming", /^Next payment: €25\.00 on /);

  await changeAndConfirm(
    async () => {
      await theGift().getByText("Cancel this gift").click();
      await theGift().getByLabel("Why are you cancelling? (optional)").selectOption("other");
      await theGift().getByRole("button", { name: "Cancel my gift" }).click();
    },
    "Cancelling at the end of the period",
    /^Ending on .+\d{4}: nothing more will be taken\.$/,
  );
  await expectNoAxeViolations(page);
  await changeAndConfirm(() => theGift().getByRole("button", { name: "Keep my gift" }).click(), "Undoing the cancellation", /^Next payment: €25\.00 on /);
});

test("updates the card on the stand-in's portal page and comes back to the account", async ({ stack }) => {
  test.setTimeout(240_000);
  await page.goto(`${stack.appUrl}/account`);
  gate.hold();
  try {
    await theGift().getByRole("button", { name: "Update my card" }).click();
    await page.waitForURL(`${stack.sandboxUrl}/p/session/**`);
    await expect(page.getByRole("heading", { name: "Update your payment method" })).toBeVisible();
    await page.getByLabel("Card number").fill("5555 5555 5555 4444");
    await page.getByRole("button", { name: "Save card" }).click();
    await page.waitForURL(`${stack.appUrl}/account**`);
    await expect(theGift().getByTestId("pending-requests")).toContainText("Updating your card", { timeout: 60_000 });
  } finally {
    gate.release();
  }
  await expect(async () => {
    if (await theGift().getByTestId("pending-requests").isVisible()) await page.reload();
    await expect(theGift().getByTestId("pending-requests")).toHaveCount(0, { timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await expect(status()).toHaveText(/^Next payment: €25\.00 on /);
  const cards = await stack.query<{ status: string }>(
    "select r.status from gift_requests r join recurring_gifts g on g.id = r.recurring_gift_id where r.kind = 'update_card' and g.amount_minor = 2500",
  );
  expect(cards.map((r) => r.status)).toEqual(["confirmed"]);
});

test("downloads the year's statement (PDF) with the totals, and the data export (JSON) with the gifts", async ({ stack }) => {
  test.setTimeout(180_000);
  await page.goto(`${stack.appUrl}/account`);
  const statementLink = page.getByRole("link", { name: /^Statement for \d{4} \(PDF\)$/ });
  await expect(statementLink).toHaveCount(1);
  const year = /\d{4}/.exec((await statementLink.textContent())!)![0];
  const [statement] = await Promise.all([page.waitForEvent("download"), statementLink.click()]);
  expect(statement.suggestedFilename()).toMatch(/\.pdf$/);
  const text = await pdfText(await readFile((await statement.path())!));
  expect(text).toContain(`Statement of gifts, ${year}`);
  // €20.00 (the first monthly payment) and €15.00 (once): €35.00 given, nothing refunded.
  expect(text).toMatch(/EUR €35\.00 €0\.00 €0\.00 €35\.00/);
  expect(text).toContain("€15.00");
  expect(text).toContain("€20.00");

  const [exported] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download my data (JSON)" }).click()]);
  expect(exported.suggestedFilename()).toMatch(/\.json$/);
  const data = JSON.parse(await readFile((await exported.path())!, "utf8")) as {
    supporter: { email: string };
    gifts: { amountMinor: number | string; currency: string; frequency: string }[];
    recurringGifts: { amountMinor: number | string; currency: string; status: string }[];
    payments: unknown[];
  };
  expect(data.supporter.email).toBe(email);
  expect(data.gifts.map((g) => [Number(g.amountMinor), g.currency, g.frequency]).sort()).toEqual(
    expect.arrayContaining([[1500, "eur", "once"]]),
  );
  expect(data.recurringGifts.map((g) => [Number(g.amountMinor), g.currency, g.status])).toEqual([[2500, "eur", "active"]]);
  expect(data.payments).toHaveLength(2);
  expect(JSON.stringify(data)).not.toContain("manageKey");
});

test("a manage link from the receipt opens the gift without an account", async ({ page: stranger, stack }) => {
  // The test's own page: another browser context, never signed in.
  const receipt = await emailTo(stack, email, (m) => m.text.includes("/manage?token="));
  {
    await stranger.goto(linkIn(receipt, `${stack.appUrl}/manage?token=`));
    await expect(stranger.getByRole("heading", { level: 1, name: "Your recurring gift" })).toBeVisible();
    await expect(stranger.getByTestId("gift-status")).toHaveText(/^Next payment: €25\.00 on /);
    await expectNoAxeViolations(stranger);
  }
});

test("erases the data: the warning, the confirmation, the erased page; no account and no personal data left", async ({ stack }) => {
  test.setTimeout(300_000);
  await page.goto(`${stack.appUrl}/account`);
  const form = page.getByTestId("erase-form");
  await expect(form.getByText(/^This cannot be undone\./)).toBeVisible();
  await expect(form).toContainText("Recurring gifts to be cancelled immediately: 1.");
  // The wrong word erases nothing.
  await form.getByLabel("Type ERASE to confirm").fill("erase");
  await form.getByRole("button", { name: "Erase my data" }).click();
  await expect(form.getByRole("alert")).toHaveText("Type ERASE, in capital letters, to confirm.");
  await expectNoAxeViolations(page);
  await form.getByLabel("Type ERASE to confirm").fill("ERASE");
  await form.getByRole("button", { name: "Erase my data" }).click();
  await page.waitForURL(`${stack.appUrl}/account/erased**`, { timeout: 60_000 });
  // The erased page stays, though the erasure signed them out.
  await page.reload();
  expect(new URL(page.url()).pathname).toBe("/account/erased");
  await expect(page.getByRole("heading", { level: 1, name: "Your data has been erased" })).toBeVisible();
  await expectNoAxeViolations(page);

  await stack.sandboxControl("POST", "/_sandbox/webhooks/flush", { timeout_ms: 60_000 });
  // Nothing in any table names the address (stored webhook payloads are cleared once applied, the
  // cancellation's own events included), and the money facts are kept.
  await expect
    .poll(() => stack.withDatabase((query) => rowsNaming(query, email)), { timeout: 120_000, intervals: [2_000, 5_000, 10_000] })
    .toEqual([]);
  const kept = await stack.query<{ n: string | number }>("select count(*) as n from payments");
  expect(Number(kept[0]!.n)).toBeGreaterThanOrEqual(2);

  // Signed out: the account asks to sign in.
  await page.goto(`${stack.appUrl}/account`);
  await page.waitForURL(`${stack.appUrl}/sign-in**`);
  // Asking for a link again is answered as for anyone, and no email is sent: the address is unknown
  // now. (The request itself leaves a hashed token under the address, as for any address asked.)
  const before = stack.smtp!.received.length;
  await page.getByLabel("Your email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.waitForURL(`${stack.appUrl}/sign-in/sent**`);
  const queued = await stack.query<{ n: string | number }>("select count(*) as n from outbound_emails where lower(to_address) = $1", [email]);
  expect(Number(queued[0]!.n)).toBe(0);
  expect(stack.smtp!.received.slice(before).filter((m) => m.to.includes(email) && m.text.includes("/sign-in/confirm?"))).toEqual([]);
});

/** Every table (and how many rows) whose rows mention `needle` anywhere, read as JSON. */
async function rowsNaming(query: Parameters<Parameters<Stack["withDatabase"]>[0]>[0], needle: string) {
  const tables = await query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'");
  const found: string[] = [];
  for (const { table_name: table } of tables) {
    const [row] = await query<{ n: string | number }>(`select count(*) as n from "${table}" t where position($1 in lower(row_to_json(t)::text)) > 0`, [needle.toLowerCase()]);
    if (Number(row!.n) > 0) found.push(`${table}: ${row!.n}`);
  }

  return found;
}
