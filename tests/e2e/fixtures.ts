import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { test as base, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import postgres from "postgres";
import Stripe from "stripe";
import { clockMoves } from "../support/clock";
import { freePort, type Started, startApp, startStripeSandbox, stopProcess } from "../../scripts/lib/processes";
import { logScanner } from "../support/log-scan";
import { type Received, startSmtpServer } from "../support/smtp";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

export const WEBHOOK_SECRET = "whsec_readerfund_e2e_secret";
/** The bearer a platform's cron sends to /api/cron; the tests use it to run due work now. */
export const CRON_SECRET = "e2e-cron-secret-0123456789abcdef0123456789";

export type Query = <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export type Stack = {
  appUrl: string;
  sandboxUrl: string;
  /**
   * Where a test serves its article page that embeds the picker (another origin than the app's),
   * listed in NEWSROOM_ORIGINS so the app lets it fetch the picker and start gifts. A file listens on
   * it in its beforeAll and closes it in its afterAll; files run one after another.
   */
  articleOrigin: string;
  databaseKind: "postgres" | "pglite";
  /** Runs read-only SQL against the app's database; on the embedded one the app restarts around it. */
  withDatabase: <R>(read: (query: Query) => Promise<R>) => Promise<R>;
  query: <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
  /** Runs the scheduled work now, as a platform's cron would (POST /api/cron). */
  runCron: () => Promise<unknown>;
  /** Calls the stand-in's control API (`/_sandbox/…`, JSON), failing on anything but a 2xx. */
  sandboxControl: <T = unknown>(method: "GET" | "POST", path: string, body?: unknown) => Promise<T>;
  /**
   * With `databaseProxy` on the PostgreSQL server: the proxy between the app and its database, to
   * take the database away from the app (`cut`) and give it back (`restore`). `withDatabase` still
   * reads it directly.
   */
  databaseProxy: Pick<TcpProxy, "cut" | "restore"> | null;
  /** The stand-in's clock, moved to where a subscription's objects say (tests/support/clock.ts). */
  clock: ReturnType<typeof clockMoves>;
  /**
   * With `smtp`: the real SMTP server the app sends through (SMTP_URL), and what it has received;
   * without, the app keeps its email in the local mailbox (/mailbox) and this is null.
   */
  smtp: { received: Received[] } | null;
};

/**
 * The whole stack for one Playwright worker: the Stripe stand-in (delivering every webhook twice,
 * in shuffled order, as Stripe may) and the production build of the app on its own database.
 * With the embedded database the app owns the data directory, so a query stops the app, reads the
 * directory, and starts the app again: which also proves a restart keeps every gift.
 */
export const test = base.extend<object, { stack: Stack; stackGroup: string; appEnv: Record<string, string>; databaseProxy: boolean; smtp: boolean }>({
  // Which stack a test file runs on. The stand-in's clock only moves forward and is the whole
  // stand-in's, so a file that moves it (renewals) sets a group of its own, its name, at its top
  // (`test.use({ stackGroup: "give-monthly" })`): Playwright runs it in a worker of its own, with a
  // stack of its own, and the clock every other file sees stays put.
  stackGroup: ["shared", { scope: "worker", option: true }],
  // Extra environment for the app of a stack group of its own (set together with stackGroup).
  appEnv: [{}, { scope: "worker", option: true }],
  // Puts a TCP proxy between the app and a PostgreSQL server, for a file (with a stack group of its
  // own) that takes the database away. The embedded database lives inside the app: no proxy there.
  databaseProxy: [false, { scope: "worker", option: true }],
  // Sends the app's email through a real SMTP server the stack starts (for a file with a stack
  // group of its own, which reads its messages from `stack.smtp`), instead of the local mailbox.
  smtp: [false, { scope: "worker", option: true }],
  stack: [
    async ({ stackGroup: _group, appEnv: extraEnv, databaseProxy: wantsProxy, smtp: wantsSmtp }, use) => {
      const serverUrl = process.env.DATABASE_URL;
      const [appPort, sandboxPort, articlePort] = [await freePort(), await freePort(), await freePort()];
      // Where a spec may serve an article page that embeds the picker: one of the newsroom's sites.
      const articleOrigin = `http://127.0.0.1:${articlePort}`;
      const appUrl = `http://localhost:${appPort}`;
      let dbName: string | null = null;
      let dataDir: string | null = null;
      let proxy: TcpProxy | null = null;
      const dbEnv: Record<string, string | undefined> = {};
      // The test's own reads go straight to the database, past any proxy.
      let directUrl: string | null = null;
      if (serverUrl) {
        dbName = `rf_e2e_${randomBytes(6).toString("hex")}`;
        const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
        await admin.unsafe(`create database ${dbName}`);
        await admin.end();
        const url = new URL(serverUrl);
        url.pathname = `/${dbName}`;
        directUrl = url.toString();
        if (wantsProxy) {
          proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
          url.hostname = "127.0.0.1";
          url.port = String(proxy.port);
        }
        dbEnv.DATABASE_URL = url.toString();
      } else {
        dataDir = mkdtempSync(path.join(tmpdir(), "readerfund-e2e-"));
        dbEnv.PGLITE_DATA_DIR = path.join(dataDir, "pglite");
      }

      const sandbox = await startStripeSandbox({
        port: sandboxPort,
        webhookUrl: `${appUrl}/api/stripe/webhook`,
        webhookSecret: WEBHOOK_SECRET,
        env: {
          SANDBOX_WEBHOOK_DUPLICATE: "1",
          SANDBOX_WEBHOOK_SHUFFLE: "1",
          SANDBOX_WEBHOOK_RETRY_BASE_MS: "500",
          // Where every stand-in the tests start sets its clock (tests/support/sandbox.ts); real time if unset.
          ...(process.env.TEST_CLOCK_START ? { SANDBOX_CLOCK_START: process.env.TEST_CLOCK_START } : {}),
        },
      });
      const smtp = wantsSmtp ? await startSmtpServer() : null;
      const appEnv = {
        ...dbEnv,
        ...(smtp ? { SMTP_URL: smtp.url() } : {}),
        APP_URL: appUrl,
        STRIPE_API_BASE: sandbox.url,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        WEBHOOK_WORKER_POLL_MS: "500",
        CRON_SECRET,
        // The test article pages' canonical site (the thank-you page may link back there), and where
        // they are served from (the embed's calls come from there).
        NEWSROOM_ORIGINS: `https://news.example,${articleOrigin}`,
        // Info and up, each line checked for personal data and secrets when the app stops (logLeaks).
        LOG_LEVEL: "info",
        ...extraEnv,
      };
      // E2E_APP_OUTPUT=1 shows the app's own log, for a failure the page does not explain.
      const inheritOutput = process.env.E2E_APP_OUTPUT === "1";
      const scan = logScanner();
      let app: Started = await startApp({ port: appPort, env: appEnv, inheritOutput, onOutput: scan.feed });

      const withDatabase: Stack["withDatabase"] = async (read) => {
        if (directUrl) {
          const client = postgres(directUrl, { max: 1, onnotice: () => {} });
          try {
            return await read(async (sql, params = []) => (await client.unsafe(sql, params as never[])) as never);
          } finally {
            await client.end();
          }
        }
        await stopProcess(app.child);
        try {
          const db = new PGlite(dbEnv.PGLITE_DATA_DIR!);
          try {
            return await read(async (sql, params = []) => (await db.query(sql, params)).rows as never);
          } finally {
            await db.close();
          }
        } finally {
          app = await startApp({ port: appPort, env: appEnv, inheritOutput, onOutput: scan.feed });
        }
      };
      const query: Stack["query"] = (sql, params) => withDatabase((q) => q(sql, params));
      const sandboxControl: Stack["sandboxControl"] = async (method, path, body) => {
        const response = await fetch(`${sandbox.url}${path}`, {
          method,
          headers: { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const json: unknown = await response.json();
        if (!response.ok) throw new Error(`stand-in ${method} ${path} → ${response.status}: ${JSON.stringify(json)}`);

        return json as never;
      };

      const sandboxAddress = new URL(sandbox.url);
      const clock = clockMoves(
        new Stripe("sk_test_e2e_clock", { host: sandboxAddress.hostname, port: sandboxAddress.port, protocol: "http", telemetry: false, maxNetworkRetries: 0 }),
        {
          now: async () => (await sandboxControl<{ now: number }>("GET", "/_sandbox/clock")).now,
          advance: async (seconds) => (await sandboxControl<{ now: number }>("POST", "/_sandbox/clock", { seconds })).now,
        },
      );

      const runCron: Stack["runCron"] = async () => {
        const response = await fetch(`${appUrl}/api/cron`, { method: "POST", headers: { authorization: `Bearer ${CRON_SECRET}` } });
        if (!response.ok) throw new Error(`/api/cron → ${response.status}: ${await response.text()}`);

        return response.json();
      };

      try {
        await use({ appUrl, sandboxUrl: sandbox.url, databaseKind: serverUrl ? "postgres" : "pglite", withDatabase, query, sandboxControl, clock, runCron, databaseProxy: proxy, articleOrigin, smtp });
      } finally {
        await stopProcess(app.child);
        await stopProcess(sandbox.child);
        await proxy?.close();
        await smtp?.stop();
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
        if (dbName && serverUrl) {
          const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
          await admin.unsafe(`drop database if exists ${dbName} with (force)`);
          await admin.end();
        }
      }
      // Every line the app logged while this stack's tests ran: no personal data, no secrets.
      const leaks = scan.leaks([CRON_SECRET]);
      if (leaks.length > 0) throw new Error(`The app logged personal data or secrets:\n${leaks.join("\n")}`);
    },
    { scope: "worker", timeout: 180_000 },
  ],
});

export { expect };

/** axe at WCAG 2.2 AA: the test fails on any violation, listing them. */
export async function expectNoAxeViolations(page: Page, options: { exclude?: string[] } = {}): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]);
  // A sandboxed frame (an email shown in the mailbox) cannot run axe's script: check its document on its own.
  for (const selector of options.exclude ?? []) builder = builder.exclude(selector);
  const results = await builder.analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
}

/**
 * Fills in the stand-in's hosted checkout page as a donor would. The button says "Donate" for a
 * one-time gift (submit_type=donate); a subscription's page has Stripe's own wording.
 */
export async function payOnCheckoutPage(page: Page, card: string, email = "reader@example.org", submit: string | RegExp = "Donate"): Promise<void> {
  const emailField = page.getByLabel("Email");
  if (await emailField.isEditable()) await emailField.fill(email);
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: submit }).click();
}

/**
 * Waits until the ledger shows what a test expects, as the app's worker applies the webhooks the
 * stand-in delivers: each round lets the stand-in finish delivering (flush), gives the worker a
 * moment, then reads. On the embedded database every read restarts the app, so rounds are spaced
 * rather than tight. Returns the last read; the caller asserts on it, so a timeout fails with the
 * rows as they were.
 */
export async function waitForLedger<R>(
  stack: Stack,
  read: (query: Query) => Promise<R>,
  done: (result: R) => boolean,
  options: { timeoutMs?: number; settleMs?: number } = {},
): Promise<R> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const settleMs = options.settleMs ?? (stack.databaseKind === "pglite" ? 2000 : 500);
  for (;;) {
    await stack.sandboxControl("POST", "/_sandbox/webhooks/flush", { timeout_ms: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const result = await stack.withDatabase(read);
    if (done(result) || Date.now() > deadline) return result;
  }
}

/**
 * Gives through the donate page and the stand-in's Checkout, as a reader would, from the picker's
 * address (frequency, currency, amount and language as a link would set them). Returns the
 * thank-you page's session id once the page confirms the gift.
 */
export async function giveThroughCheckout(
  page: Page,
  stack: Stack,
  gift: { frequency: "once" | "monthly"; amount: number; email: string; lang?: "en" | "ru" },
): Promise<string> {
  const lang = gift.lang ?? "en";
  await page.goto(`${stack.appUrl}/donate?lang=${lang}&frequency=${gift.frequency}&currency=eur&amount=${gift.amount}`);
  await page.getByRole("button", { name: lang === "ru" ? /^Продолжить/ : /^Continue/ }).click();
  if (gift.frequency === "once") {
    // A one-time gift is offered as monthly first (once per visitor): keep it one-time.
    const keepOnce = page.getByRole("button", { name: lang === "ru" ? /разово$/ : /^Give .+ once$/ });
    await expect(async () => {
      if (await keepOnce.isVisible()) await keepOnce.click();
      expect(page.url()).toContain(`${stack.sandboxUrl}/c/pay/`);
    }).toPass({ timeout: 60_000 });
  }
  await page.waitForURL(`${stack.sandboxUrl}/c/pay/**`);
  await payOnCheckoutPage(page, "4242 4242 4242 4242", gift.email, gift.frequency === "once" ? "Donate" : /^(Subscribe|Pay|Donate|Start)\b/);
  await page.waitForURL(`${stack.appUrl}/donate/thank-you?session_id=*`, { timeout: 60_000 });

  return new URL(page.url()).searchParams.get("session_id")!;
}

/** The newest message the stack's SMTP server received for an address that `matches`, once it arrives. */
export async function emailTo(stack: Stack, address: string, matches: (email: Received) => boolean, timeout = 90_000): Promise<Received> {
  if (!stack.smtp) throw new Error("this stack sends no email over SMTP: set `smtp: true` with a stack group of its own");
  const find = () => stack.smtp!.received.filter((email) => email.to.includes(address) && matches(email)).at(-1);
  await expect.poll(() => find() !== undefined, { message: `an email to ${address}`, timeout }).toBe(true);

  return find()!;
}

/** The first link in an email's text part (decoded from quoted-printable by the parser) whose address starts with `prefix`. */
export function linkIn(email: Received, prefix: string): string {
  const found = email.text.split(/[\s<>[\]()]+/).find((word) => word.startsWith(prefix));
  expect(found, `a link to ${prefix} in the email's text`).toBeDefined();

  return found!;
}

/**
 * Stands between the stand-in and the app's webhook endpoint, passing every delivery on unchanged,
 * except while held: deliveries then wait (the stand-in keeps each open, as a slow endpoint) until
 * `release()`. So a test sees the page as it is before Stripe's confirmation arrives, whatever the
 * machine's speed, and then after it.
 */
export async function webhookGate(stack: Stack) {
  const target = `${stack.appUrl}/api/stripe/webhook`;
  let held: Promise<void> | null = null;
  let open = () => {};
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        if (held) await held;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value === "string" && !["host", "connection", "content-length", "transfer-encoding"].includes(name)) headers[name] = value;
        }
        try {
          const answer = await fetch(target, { method: "POST", headers, body: Buffer.concat(chunks) });
          response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
          response.end(Buffer.from(await answer.arrayBuffer()));
        } catch {
          response.writeHead(502);
          response.end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const previous = await stack.sandboxControl<{ webhooks: { timeout_ms?: number } }>("GET", "/_sandbox/config");
  await stack.sandboxControl("POST", "/_sandbox/config", { webhooks: { url: `http://127.0.0.1:${port}/`, timeout_ms: 300_000 } });

  return {
    hold: () => {
      held ??= new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release: () => {
      held = null;
      open();
    },
    close: async () => {
      held = null;
      open();
      await stack.sandboxControl("POST", "/_sandbox/config", { webhooks: { url: target, timeout_ms: previous.webhooks.timeout_ms ?? 10_000 } });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
