import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as giftStatus } from "@/app/api/gifts/status/route";
import { GET as health } from "@/app/api/health/route";
import { GET as liveness } from "@/app/api/health/live/route";
import { GET as receipt } from "@/app/donate/receipt/route";
import { getDb } from "@/db";
import { useTestDatabase } from "../support/database";
import { giveOnce } from "../support/gifts";
import { clearLedger, drainUntilSettled } from "../support/ledger";
import { control, deliver, usePrivateSandbox } from "../support/stripe";

// This file changes the stand-in's settings, so it has a stand-in of its own.
usePrivateSandbox();
// The outage tests reach the PostgreSQL server through a proxy they cut. On the embedded database
// (PGlite runs inside the test's own process) there is nothing between the app and its database to
// cut, so they are skipped there; CI's run on the server is the one that proves them.
const database = useTestDatabase({ throughProxy: true });
const onServer = database.kind === "postgres";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, checking every `everyMs`; fails after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function storedGift(options: Parameters<typeof giveOnce>[0] = {}) {
  const { session, events } = await giveOnce(options);
  const completed = events.find((e) => e.type === "checkout.session.completed")!;
  await deliver([completed]);

  return { session, completed };
}

beforeEach(async () => {
  await clearLedger();
  await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
});

describe.skipIf(!onServer)("the database unreachable (PostgreSQL server behind a proxy)", () => {
  afterEach(() => {
    database.proxy().restore();
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
      expect(await healthUp.json()).toEqual({ ok: true, database: "ok" });
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
