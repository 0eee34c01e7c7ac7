import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as giftStatus } from "@/app/api/gifts/status/route";
import { GET as health } from "@/app/api/health/route";
import { GET as liveness } from "@/app/api/health/live/route";
import { GET as receipt } from "@/app/donate/receipt/route";
import { getDb } from "@/db";
import { outboundEmails } from "@/db/schema";
import { sendDueEmails } from "@/lib/email/sender";
import { smtpTransport } from "@/lib/email/transport";
import { startWebhookWorker, stopWebhookWorker, wakeWebhookWorker } from "@/lib/stripe/webhooks/worker";
import { useTestDatabase } from "../../support/database";
import { giveOnce, storedGift } from "../../support/gifts";
import { clearLedger, drainUntilSettled } from "../../support/ledger";
import { startSmtpServer } from "../../support/smtp";
import { control, deliver, usePrivateSandbox } from "../../support/stripe";
import { sleep, until } from "../../support/wait";

// This file slows the stand-in's API down, so it has a stand-in of its own.
usePrivateSandbox();
// The outage tests reach the PostgreSQL server through a proxy they cut. On the embedded database
// (PGlite runs inside the test's own process) there is nothing between the app and its database to
// cut, so they are skipped there; CI's run on the server is the one that proves them.
const database = useTestDatabase({ throughProxy: true });
const onServer = database.kind === "postgres";

beforeEach(async () => {
  await clearLedger();
  await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
});

describe.skipIf(!onServer)("the database unreachable (PostgreSQL server behind a proxy)", () => {
  afterEach(() => {
    database.proxy().restore();
    stopWebhookWorker();
  });

  it.each([
    { polling: "every 2 s (the default)", pollMs: 2000 },
    { polling: "off", pollMs: 0 },
  ])("applies a batch whose database went away mid-way seconds after it is back, not when its lease runs out, and once (polling $polling)", async ({ pollMs }) => {
    const proxy = database.proxy();
    const direct = database.direct();
    const { session, completed } = await storedGift();
    // The worker's Stripe read takes a moment: the database goes away during it.
    await control("POST", "/_sandbox/config", { api_latency_ms: 1500 });
    // The worker loop as a server runs it. With polling off, nothing but its own retry brings it back.
    startWebhookWorker(pollMs);
    void wakeWebhookWorker();
    await until(async () => (await direct`select locked_until from stripe_events where id = ${completed.id}`)[0]!.locked_until !== null, "the worker's claim", 10_000, 20);
    await proxy.cut();
    // The batch's transaction fails, then so does putting the event back: two attempts to connect.
    await until(() => proxy.dropped() >= 2, "the worker to try the database", 20_000);
    await sleep(3000);
    const [stranded] = await direct`select status, locked_until > now() as locked from stripe_events where id = ${completed.id}`;
    expect(stranded).toEqual({ status: "pending", locked: true });
    await control("POST", "/_sandbox/config", { api_latency_ms: 0 });

    proxy.restore();
    const restoredAt = Date.now();
    await until(async () => (await direct`select 1 from gifts where stripe_checkout_session_id = ${session.id}`).length > 0, "the gift in the ledger", 60_000);
    // The lease is a minute; the worker is alive, so its claim comes back at once.
    // eslint-disable-next-line no-restricted-syntax -- real time elapsed since the restore (the old lease made it 300 s)
    expect(Date.now() - restoredAt).toBeLessThan(30_000);
    const [counts] = await direct`select (select count(*)::int from gifts) as gifts, (select count(*)::int from payments) as payments`;
    expect(counts).toEqual({ gifts: 1, payments: 1 });
    expect((await direct`select status from stripe_events where id = ${completed.id}`)[0]).toEqual({ status: "processed" });
  }, 120_000);

  describe("the email sender", () => {
    let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
    beforeAll(async () => {
      smtp = await startSmtpServer();
    });
    afterAll(async () => {
      await smtp.stop();
    });
    beforeEach(() => {
      smtp.received.length = 0;
    });

    const queueReceipt = async (email: string) => {
      const { events } = await giveOnce({ email });
      await deliver(events);
      await drainUntilSettled();
      const [queued] = await getDb().select().from(outboundEmails);

      return queued!;
    };
    const row = async (id: string) => (await database.direct()`select status, attempts, locked_until from outbound_emails where id = ${id}`)[0]!;

    it("marks an email the SMTP server accepted just before the database went away as sent once it is back, and sends it once", async () => {
      const proxy = database.proxy();
      const queued = await queueReceipt("accepted.then.down@example.org");
      await expect(sendDueEmails({ transport: smtpTransport(smtp.url()), afterSend: () => proxy.cut() })).rejects.toThrow();
      expect(smtp.received).toHaveLength(1);
      expect(await row(queued.id)).toMatchObject({ status: "sending" });

      proxy.restore();
      expect(await sendDueEmails({ transport: smtpTransport(smtp.url()) })).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect(await row(queued.id)).toMatchObject({ status: "sent", attempts: 1, locked_until: null });
      // Its lease would have run out in two minutes, and another claim would have sent it again.
      await getDb().update(outboundEmails).set({ lockedUntil: sql`now() - interval '1 second'`, nextAttemptAt: sql`now() - interval '1 second'` });
      expect(await sendDueEmails({ transport: smtpTransport(smtp.url()) })).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect(smtp.received).toHaveLength(1);
    });

    it("puts an email whose send failed while the database went away back in the queue once the database is back", async () => {
      const proxy = database.proxy();
      const queued = await queueReceipt("failed.then.down@example.org");
      await smtp.stop();
      const smtpDown = smtpTransport(smtp.url());
      const failing = {
        ...smtpDown,
        send: async (message: Parameters<typeof smtpDown.send>[0]) => {
          await proxy.cut();
          await smtpDown.send(message);
        },
      };
      await expect(sendDueEmails({ transport: failing })).rejects.toThrow();
      expect(await row(queued.id)).toMatchObject({ status: "sending" });

      proxy.restore();
      await smtp.start();
      await sendDueEmails({ transport: smtpTransport(smtp.url()) });
      // Back in the queue with its backoff, not held for the rest of its two-minute lease.
      expect(await row(queued.id)).toMatchObject({ status: "pending", attempts: 1, locked_until: null });
      await getDb().update(outboundEmails).set({ nextAttemptAt: sql`now() - interval '1 second'` });
      expect(await sendDueEmails({ transport: smtpTransport(smtp.url()) })).toEqual({ sent: 1, retried: 0, failed: 0 });
      expect(smtp.received).toHaveLength(1);
    });
  });

  describe("read routes", () => {
    const request = (path: string) => new Request(`http://localhost:3000${path}`);

    async function expectUnavailable(response: Response) {
      expect(response.status).toBe(503);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("content-type")).toContain("application/json");
    }

    it("answer 503 with a JSON error and Retry-After while the database is unreachable, and as before once it is back", async () => {
      const proxy = database.proxy();
      const { session, events } = await giveOnce();
      await deliver(events);
      await drainUntilSettled();
      const status = `/api/gifts/status?session_id=${session.id}`;
      const receiptPath = `/donate/receipt?session_id=${session.id}`;
      expect(await (await giftStatus(request(status))).json()).toEqual({ recorded: true });

      await proxy.cut();
      const down = await giftStatus(request(status));
      await expectUnavailable(down);
      expect(await down.json()).toEqual({ error: { code: "DATABASE_UNAVAILABLE", message: expect.stringContaining("database") } });
      const receiptDown = await receipt(request(receiptPath));
      await expectUnavailable(receiptDown);
      expect(((await receiptDown.json()) as { error: { code: string } }).error.code).toBe("DATABASE_UNAVAILABLE");
      const healthDown = await health();
      await expectUnavailable(healthDown);
      expect(await healthDown.json()).toEqual({ ok: false, database: "unreachable" });
      expect(await (await liveness()).json()).toEqual({ ok: true });
      // Bad input is still bad input, whatever the database is doing.
      expect((await giftStatus(request("/api/gifts/status?session_id=nope"))).status).toBe(400);

      proxy.restore();
      const up = await giftStatus(request(status));
      expect(up.status).toBe(200);
      expect(await up.json()).toEqual({ recorded: true });
      const receiptUp = await receipt(request(receiptPath));
      expect(receiptUp.status).toBe(200);
      expect(await receiptUp.text()).toContain("<table>");
      const healthUp = await health();
      expect(healthUp.status).toBe(200);
      expect(await healthUp.json()).toMatchObject({ ok: true, database: "ok", attention: [] });
    });

    it("answer 503 promptly however long the outage has lasted, and at once when it is over", async () => {
      const proxy = database.proxy();
      const status = `/api/gifts/status?session_id=${(await storedGift()).session.id}`;
      await proxy.cut();
      // A reader's page asks every few seconds; each asking fails to connect. The driver waits
      // longer between attempts as failures add up (by default up to 20 s), and a request would
      // wait that long for its 503.
      const waits: number[] = [];
      for (let asked = 0; asked < 10; asked++) {
        const started = Date.now();
        await expectUnavailable(await giftStatus(request(status)));
        waits.push(Date.now() - started);
      }
      expect(Math.max(...waits)).toBeLessThan(3000);
      proxy.restore();
      const restored = Date.now();
      expect((await giftStatus(request(status))).status).toBe(200);
      // eslint-disable-next-line no-restricted-syntax -- real time elapsed: an answer, not a driver's 20 s reconnect backoff
      expect(Date.now() - restored).toBeLessThan(3000);
    });

    it("health says unreachable within seconds when the database does not answer at all", async () => {
      const proxy = database.proxy();
      // Connections are held without an answer, as on a network that drops packets.
      await proxy.cut("hold");
      const response = await health();
      await expectUnavailable(response);
      expect(await response.json()).toEqual({ ok: false, database: "unreachable" });
      proxy.restore();
      await until(async () => (await health()).status === 200, "health once the database answers", 10_000);
    });
  });
});

describe("a failure of our own is not an outage", () => {
  it("answers 500, not 503, when a query of ours fails", async () => {
    const { session } = await storedGift();
    // A real failure that waiting will not fix: the table the route reads is not there.
    await getDb().execute(sql`alter table gifts rename to gifts_away`);
    try {
      const response = await giftStatus(new Request(`http://localhost:3000/api/gifts/status?session_id=${session.id}`));
      expect(response.status).toBe(500);
      expect(response.headers.get("retry-after")).toBeNull();
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("INTERNAL");
    } finally {
      await getDb().execute(sql`alter table gifts_away rename to gifts`);
    }
  });
});
