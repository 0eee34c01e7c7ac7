import http from "node:http";
import { freePort, type Started, startApp, startStripeSandbox, stopProcess } from "../../scripts/lib/processes";
import { scratchDatabase } from "../../scripts/lib/scratch-database";
import { logScanner } from "../support/log-scan";
import { findNginx, type StartedProxy, startNginx } from "../support/nginx";
import { startSmtpServer } from "../support/smtp";
import { until } from "../support/wait";
import { expect, test, WEBHOOK_SECRET } from "./fixtures";

/**
 * Two production app processes on one PostgreSQL server behind a real load balancer (nginx, round
 * robin), as a newsroom that outgrows one machine runs them: the stand-in's deliveries (each twice,
 * shuffled) are spread across both, and both apply events and send email. Nothing may be applied or
 * sent twice, nothing lost, and a rate limit counted on one instance holds on the other.
 */
const serverUrl = process.env.DATABASE_URL;
const nginx = findNginx();
const required = process.env.REQUIRE_NGINX === "1";
const GIFTS = 20;

/** A JSON POST through the proxy from a given loopback address (Linux answers on all of 127/8). */
function postFrom(proxy: StartedProxy, localAddress: string, path: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port: proxy.port, path, method: "POST", localAddress, headers: { "content-type": "application/json" } },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify(body));
  });
}

test("two instances on one database behind a load balancer: every gift once, every receipt once, one rate limit", async () => {
  test.skip(!serverUrl, "several instances share a PostgreSQL server: run with DATABASE_URL (CI's server run does)");
  test.skip(!nginx && !required, "nginx is not installed: apt-get install nginx-light (CI installs it)");
  test.setTimeout(240_000);

  const scratch = await scratchDatabase(serverUrl!, "rf_e2e_multi");
  const { db } = scratch;
  const [proxyPort, sandboxPort, firstPort, secondPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const smtp = await startSmtpServer();
  const started: Started[] = [];
  const scan = logScanner();
  let proxy: StartedProxy | null = null;
  try {
    const sandbox = await startStripeSandbox({
      port: sandboxPort,
      webhookUrl: `http://127.0.0.1:${proxyPort}/api/stripe/webhook`,
      webhookSecret: WEBHOOK_SECRET,
      env: { SANDBOX_WEBHOOK_DUPLICATE: "1", SANDBOX_WEBHOOK_SHUFFLE: "1", SANDBOX_WEBHOOK_RETRY_BASE_MS: "500" },
    });
    started.push(sandbox);
    const appEnv = {
      DATABASE_URL: scratch.url,
      APP_URL: `http://localhost:${proxyPort}`,
      STRIPE_API_BASE: sandbox.url,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SMTP_URL: smtp.url(),
      CLIENT_IP_HEADER: "x-forwarded-for",
      WEBHOOK_WORKER_POLL_MS: "500",
      // Debug: each instance says which deliveries it received.
      LOG_LEVEL: "debug",
    };
    // Both at once: the migrations race, and the advisory lock lets one apply them.
    const apps = await Promise.all([startApp({ port: firstPort, env: appEnv, onOutput: scan.feed }), startApp({ port: secondPort, env: appEnv, onOutput: scan.feed })]);
    started.push(...apps);
    proxy = await startNginx({ upstreamPorts: [firstPort, secondPort], port: proxyPort });

    // Five Checkout Sessions per address are free: the sixth, whichever instance it reaches, asks for
    // a proof of work. Counted per process, each instance would have seen three.
    const probes: number[] = [];
    for (let i = 0; i < 6; i++) {
      probes.push((await postFrom(proxy, "127.0.0.2", "/api/checkout", { frequency: "once", currency: "eur", amount: "5", locale: "en", attemptId: crypto.randomUUID() })).status);
    }
    expect(probes).toEqual([200, 200, 200, 200, 200, 428]);

    // Gifts from twenty readers at once, each paid on the stand-in.
    const sessions = await Promise.all(
      Array.from({ length: GIFTS }, async (_, i) => {
        const answer = await postFrom(proxy!, `127.0.0.${10 + i}`, "/api/checkout", {
          frequency: "once",
          currency: "eur",
          amount: String(10 + i),
          locale: "en",
          attemptId: crypto.randomUUID(),
        });
        expect(answer.status, answer.body).toBe(200);
        const sessionId = /\/c\/pay\/(cs_test_\w+)/.exec((JSON.parse(answer.body) as { url: string }).url)![1]!;
        const paid = await fetch(`${sandbox.url}/_sandbox/checkout/sessions/${sessionId}/pay`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: `multi-${i}@example.org`, card: "4242424242424242" }),
        });
        expect(paid.status).toBe(200);

        return sessionId;
      }),
    );

    const count = async (query: string) => Number((await db.unsafe<Array<{ n: string }>>(query))[0]!.n);
    await until(
      async () => (await count("select count(*) as n from payments")) === GIFTS && (await count("select count(*) as n from stripe_events where status = 'pending'")) === 0,
      "every gift in the ledger and the inbox drained",
      120_000,
      250,
    );
    await until(() => smtp.received.filter((mail) => mail.to.some((to) => to.startsWith("multi-"))).length >= GIFTS, "every receipt", 60_000, 250);

    // Each gift once, with its own amount; the inbox holds nothing failed.
    const payments = await db<Array<{ amount_minor: number }>>`select amount_minor from payments order by amount_minor`;
    expect(payments.map((row) => Number(row.amount_minor))).toEqual(Array.from({ length: GIFTS }, (_, i) => (10 + i) * 100));
    expect(await count("select count(*) as n from gifts")).toBe(GIFTS);
    expect(await count("select count(*) as n from stripe_events where status = 'failed'")).toBe(0);
    // Each receipt sent once, whichever instance claimed it; a moment more for a second one to show.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const receipts = smtp.received.filter((mail) => mail.to.some((to) => to.startsWith("multi-")));
    expect(receipts.map((mail) => mail.to[0]).sort()).toEqual(Array.from({ length: GIFTS }, (_, i) => `multi-${i}@example.org`).sort());
    expect(new Set(receipts.map((mail) => mail.messageId)).size).toBe(GIFTS);
    expect(await count("select count(*) as n from outbound_emails where status <> 'sent'")).toBe(0);

    // Both instances took deliveries, and either one answers about any gift.
    for (const app of apps) expect(app.output()).toContain('"msg":"webhook received"');
    for (const sessionId of sessions.slice(0, 4)) {
      const status = await fetch(`${proxy.url}/api/gifts/status?session_id=${sessionId}`);
      expect(await status.json()).toEqual({ recorded: true });
    }
    const health = (await (await fetch(`${proxy.url}/api/health`)).json()) as { inbox: { pending: number; parked: number }; attention: string[] };
    expect(health).toMatchObject({ inbox: { pending: 0, parked: 0 }, attention: [] });
    // Both instances' every line, at debug: no personal data, no secrets.
    expect(scan.leaks()).toEqual([]);
  } finally {
    await proxy?.stop();
    for (const child of started.reverse()) await stopProcess(child.child);
    await smtp.stop();
    await scratch.drop();
  }
});
