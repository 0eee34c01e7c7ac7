import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_HOW_TO, findChromium } from "../tests/support/chromium";
import { ensureBuilt, freePort, ROOT, startApp, startStripeSandbox, stopProcess } from "./lib/processes";

/**
 * `npm run screenshots -- <folder>`: the reader's pages at a desktop and a phone width, in English
 * and Russian, as PNGs in `<folder>` (default docs/screenshots/current). The production build on a
 * scratch embedded database, with the Stripe stand-in; a gift is made through the API so the
 * thank-you page and the receipt email have something to show.
 */
const out = path.resolve(ROOT, process.argv[2] ?? "docs/screenshots/current");
mkdirSync(out, { recursive: true });
const executablePath = findChromium();
if (!executablePath) {
  console.error(CHROMIUM_HOW_TO);
  process.exit(1);
}

const WIDTHS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 360, height: 740 },
] as const;
const LANGS = ["en", "ru"] as const;
const WEBHOOK_SECRET = "whsec_readerfund_screenshots";

await ensureBuilt({ quiet: true });
const dataDir = mkdtempSync(path.join(tmpdir(), "readerfund-shots-"));
const [appPort, sandboxPort, articlePort] = [await freePort(), await freePort(), await freePort()];
const appUrl = `http://localhost:${appPort}`;
const sandbox = await startStripeSandbox({ port: sandboxPort, webhookUrl: `${appUrl}/api/stripe/webhook`, webhookSecret: WEBHOOK_SECRET });
const app = await startApp({
  port: appPort,
  env: { PGLITE_DATA_DIR: path.join(dataDir, "pglite"), APP_URL: appUrl, STRIPE_API_BASE: sandbox.url, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, WEBHOOK_WORKER_POLL_MS: "300", LOG_LEVEL: "warn" },
});
// An article page on another origin that embeds the picker with one tag, as a newsroom's would.
const articleOrigin = `http://127.0.0.1:${articlePort}`;
const articles = createServer((req, res) => {
  const lang = new URL(req.url ?? "/", articleOrigin).searchParams.get("lang") ?? "en";
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Article</title>
<style>body{font:18px/1.6 Georgia,serif;max-width:40rem;margin:0 auto;padding:1rem}</style></head>
<body><main><h1>${lang === "ru" ? "Как редакция в изгнании продолжает работать" : "How a newsroom in exile keeps reporting"}</h1>
<p>${lang === "ru" ? "Её репортёры по-прежнему пишут из страны." : "Its reporters still file from the country."}</p>
<script src="${appUrl}/embed/loader.js" data-section="features" data-campaign="article-footer"></script>
<p>${lang === "ru" ? "Конец статьи." : "The end of the article."}</p></main></body></html>`);
});
await new Promise<void>((resolve) => articles.listen(articlePort, "127.0.0.1", resolve));

const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
const shots: string[] = [];
async function shoot(page: Page, name: string) {
  const file = path.join(out, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(path.relative(ROOT, file));
}

/** A paid one-time gift, made as the picker would make it, for the thank-you page. */
async function paidSession(locale: string): Promise<string> {
  const response = await fetch(`${appUrl}/api/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: appUrl },
    body: JSON.stringify({ frequency: "monthly", currency: "eur", amount: "10", locale, attemptId: randomUUID(), coverFee: true }),
  });
  const { url } = (await response.json()) as { url: string };
  const sessionId = /\/c\/pay\/(cs_test_\w+)/.exec(url)![1]!;
  await fetch(`${sandbox.url}/_sandbox/checkout/sessions/${sessionId}/pay`, {
    method: "POST",
    body: JSON.stringify({ email: `screenshots.${locale}@example.org`, card: "4242424242424242" }),
  });
  await fetch(`${sandbox.url}/_sandbox/webhooks/flush`, { method: "POST", body: JSON.stringify({ timeout_ms: 10_000 }) });

  return sessionId;
}

try {
  for (const lang of LANGS) {
    const sessionId = await paidSession(lang);
    for (const viewport of WIDTHS) {
      const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, locale: lang });
      const page = await context.newPage();
      const suffix = `${lang}-${viewport.name}`;

      await page.goto(`${appUrl}/donate?lang=${lang}`);
      await page.waitForLoadState("networkidle");
      await shoot(page, `donate-${suffix}`);

      // The monthly offer a one-time giver sees once, before Checkout.
      await page.locator("form button[type=submit]").first().click();
      await page.waitForTimeout(300);
      await shoot(page, `donate-offer-${suffix}`);

      await page.goto(`${appUrl}/?lang=${lang}`);
      await page.waitForLoadState("networkidle");
      await shoot(page, `article-${suffix}`);

      await page.goto(`${articleOrigin}/?lang=${lang}`);
      await page.locator(".readerfund-slot").scrollIntoViewIfNeeded();
      await page.waitForTimeout(1500);
      await shoot(page, `embed-${suffix}`);

      await page.goto(`${appUrl}/donate/thank-you?session_id=${sessionId}`);
      await page.waitForTimeout(2500);
      await shoot(page, `thank-you-${suffix}`);

      await page.goto(`${appUrl}/mailbox`);
      const first = page.locator("table a").first();
      if ((await first.count()) > 0) {
        await first.click();
        await page.waitForLoadState("networkidle");
        await shoot(page, `email-${suffix}`);
      }
      await context.close();
    }
  }
  console.log(`${shots.length} screenshots in ${path.relative(ROOT, out)}:\n  ${shots.join("\n  ")}`);
} finally {
  await browser.close();
  await new Promise((resolve) => articles.close(resolve));
  await stopProcess(app.child);
  await stopProcess(sandbox.child);
  rmSync(dataDir, { recursive: true, force: true });
}
