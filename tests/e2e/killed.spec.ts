import { freePort, type Started, startApp, startStripeSandbox, stopProcess } from "../../scripts/lib/processes";
import { scratchDatabase } from "../../scripts/lib/scratch-database";
import { startSmtpServer } from "../support/smtp";
import { until } from "../support/wait";
import { expect, test, WEBHOOK_SECRET } from "./fixtures";

/**
 * A production app process SIGKILLed at the moments a crash would cost most (lib/kill-point.ts),
 * then started again, as a platform restarts it: after it committed a delivery's event and before
 * Stripe had its answer; in the middle of applying a batch, before the commit; after the SMTP server
 * took a receipt and before the outbox knew. Each time every gift ends in the ledger once, with its
 * receipt, and nothing waits or is parked. On a PostgreSQL server: the embedded database dies with
 * the process that holds it, which is another test's subject.
 */
const serverUrl = process.env.DATABASE_URL;

type Crash = { name: string; killAt: "webhook-stored" | "batch-applying" | "email-sent" };

const CRASHES: Crash[] = [
  { name: "after committing a delivery's event, before answering Stripe", killAt: "webhook-stored" },
  { name: "in the middle of an applied batch, before its commit", killAt: "batch-applying" },
  { name: "after the SMTP server took a receipt, before the outbox marked it sent", killAt: "email-sent" },
];

for (const crash of CRASHES) {
  test(`killed ${crash.name}: started again, every gift once, every receipt sent`, async () => {
    test.skip(!serverUrl, "needs a PostgreSQL server (DATABASE_URL) that outlives the killed process (CI's server run)");
    test.setTimeout(180_000);

    const scratch = await scratchDatabase(serverUrl!, "rf_e2e_killed");
    const { db } = scratch;
    const count = async (query: string) => Number((await db.unsafe<Array<{ n: string }>>(query))[0]!.n);
    const [sandboxPort, appPort] = [await freePort(), await freePort()];
    const smtp = await startSmtpServer();
    const running: Started[] = [];
    try {
      const sandbox = await startStripeSandbox({
        port: sandboxPort,
        webhookUrl: `http://127.0.0.1:${appPort}/api/stripe/webhook`,
        webhookSecret: WEBHOOK_SECRET,
        // Retried soon, and for long enough to outlast a restart.
        env: { SANDBOX_WEBHOOK_RETRY_BASE_MS: "500", SANDBOX_WEBHOOK_MAX_ATTEMPTS: "12" },
      });
      running.push(sandbox);
      const appEnv = {
        DATABASE_URL: scratch.url,
        APP_URL: `http://localhost:${appPort}`,
        STRIPE_API_BASE: sandbox.url,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        SMTP_URL: smtp.url(),
        WEBHOOK_WORKER_POLL_MS: "300",
        LOG_LEVEL: "warn",
      };
      const doomed = await startApp({ port: appPort, env: { ...appEnv, TEST_KILL_AT: crash.killAt } });
      running.push(doomed);
      const died = new Promise<NodeJS.Signals | null>((resolve) => doomed.child.once("exit", (_code, signal) => resolve(signal)));

      // One gift, paid on the stand-in: its events reach the app, which dies where it was told to.
      const answer = await fetch(`${doomed.url}/api/checkout`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ frequency: "once", currency: "eur", amount: "23", locale: "en", attemptId: crypto.randomUUID() }),
      });
      expect(answer.status).toBe(200);
      const sessionId = /\/c\/pay\/(cs_test_\w+)/.exec(((await answer.json()) as { url: string }).url)![1]!;
      const paid = await fetch(`${sandbox.url}/_sandbox/checkout/sessions/${sessionId}/pay`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "killed@example.org", card: "4242424242424242" }),
      });
      expect(paid.status).toBe(200);
      expect(await died).toBe("SIGKILL");

      // What the crash left: the kill came before the commit of what it interrupted.
      if (crash.killAt === "webhook-stored") expect(await count("select count(*) as n from stripe_events")).toBeGreaterThan(0);
      if (crash.killAt === "batch-applying") expect(await count("select count(*) as n from payments")).toBe(0);
      if (crash.killAt === "email-sent") {
        await until(() => smtp.received.length === 1, "the receipt the SMTP server took", 10_000);
        expect(await count("select count(*) as n from outbound_emails where status = 'sending'")).toBe(1);
      }
      // A killed worker's claims are leased for a minute (webhook events) or two (emails): the lease's
      // end is moved to now, as billing tests move clocks, rather than waited for.
      await db`update stripe_events set locked_until = now() where status = 'pending' and locked_until > now()`;
      await db`update outbound_emails set locked_until = now() where status = 'sending'`;

      // Started again, as a platform would, on the same address: Stripe's retries find it.
      const restarted = await startApp({ port: appPort, env: appEnv });
      running.push(restarted);
      await until(
        async () =>
          (await count("select count(*) as n from payments")) === 1 &&
          (await count("select count(*) as n from stripe_events where status = 'pending'")) === 0 &&
          (await count("select count(*) as n from outbound_emails where status <> 'sent'")) === 0,
        "the gift in the ledger, the inbox drained and the receipt sent",
        90_000,
        250,
      );
      const payments = await db<Array<{ amount_minor: number }>>`select amount_minor from payments`;
      expect(payments.map((row) => Number(row.amount_minor))).toEqual([2300]);
      expect(await count("select count(*) as n from gifts")).toBe(1);
      expect(await count("select count(*) as n from outbound_emails")).toBe(1);
      expect(await count("select count(*) as n from stripe_events where status = 'failed'")).toBe(0);
      // Delivery of email is at least once: killed between the SMTP server's answer and the outbox's
      // mark, the message goes again with the same Message-ID (docs/emails.md); otherwise once.
      const receipts = smtp.received.filter((mail) => mail.to.includes("killed@example.org"));
      expect(receipts.length).toBe(crash.killAt === "email-sent" ? 2 : 1);
      expect(new Set(receipts.map((mail) => mail.messageId)).size).toBe(1);
      const status = await fetch(`${restarted.url}/api/gifts/status?session_id=${sessionId}`);
      expect(await status.json()).toEqual({ recorded: true });
    } finally {
      for (const started of running.reverse()) await stopProcess(started.child);
      await smtp.stop();
      await scratch.drop();
    }
  });
}
