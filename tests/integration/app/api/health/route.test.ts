import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { getDb } from "@/db";
import { useTestDatabase } from "../../../../support/database";
import { clearLedger } from "../../../../support/ledger";

useTestDatabase();

beforeEach(clearLedger);

// Rows stamped by the database's own clock, some minutes back: what the check reports is worked out
// by hand here, not by the code under test.
async function event(id: string, status: string, minutesAgo: number, attempts = 0) {
  await getDb().execute(sql`insert into stripe_events (id, type, livemode, stripe_created_at, status, attempts, received_at)
    values (${id}, 'charge.succeeded', false, now(), ${status}::stripe_event_status, ${attempts}, now() - make_interval(mins => ${minutesAgo}))`);
}
async function email(key: string, status: string, minutesAgo: number) {
  await getDb().execute(sql`insert into outbound_emails (idempotency_key, template, to_address, locale, status, message_id, created_at)
    values (${key}, 'receipt', 'reader@example.org', 'en', ${status}::email_status, ${`<${key}@test>`}, now() - make_interval(mins => ${minutesAgo}))`);
}

describe("GET /api/health", () => {
  it("answers 200 with nothing waiting and nothing to look at", async () => {
    const response = await health();

    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      ok: true,
      database: "ok",
      inbox: { pending: 0, retrying: 0, oldestPendingSeconds: null, parked: 0 },
      outbox: { pending: 0, oldestPendingSeconds: null, failed: 0 },
      attention: [],
    });
  });

  it("counts the inbox's and the outbox's backlog, the oldest waiting, and what was given up on, and still answers 200", async () => {
    await event("evt_done", "processed", 90);
    await event("evt_ignored", "ignored", 80);
    await event("evt_new", "pending", 1);
    await event("evt_retrying", "pending", 12, 3);
    await event("evt_parked_1", "failed", 4000, 40);
    await event("evt_parked_2", "failed", 3000, 40);
    await email("sent", "sent", 200);
    await email("suppressed", "suppressed", 200);
    await email("waiting", "pending", 2);
    await email("in-flight", "sending", 75);
    await email("refused", "failed", 500);

    const response = await health();
    const body = (await response.json()) as {
      inbox: { pending: number; retrying: number; oldestPendingSeconds: number; parked: number };
      outbox: { pending: number; oldestPendingSeconds: number; failed: number };
      attention: string[];
    };

    // A backlog is every instance's: no reason to take this one out of the load balancer.
    expect(response.status).toBe(200);
    expect({ ...body.inbox, oldestPendingSeconds: undefined }).toEqual({ pending: 2, retrying: 1, oldestPendingSeconds: undefined, parked: 2 });
    // 12 minutes, give or take the seconds this test takes.
    expect(body.inbox.oldestPendingSeconds).toBeGreaterThanOrEqual(720);
    expect(body.inbox.oldestPendingSeconds).toBeLessThan(780);
    expect({ ...body.outbox, oldestPendingSeconds: undefined }).toEqual({ pending: 2, oldestPendingSeconds: undefined, failed: 1 });
    expect(body.outbox.oldestPendingSeconds).toBeGreaterThanOrEqual(4500);
    expect(body.outbox.oldestPendingSeconds).toBeLessThan(4560);
    expect(body.attention).toEqual([
      "2 webhook event(s) parked after failing: see /finance/inbox",
      expect.stringMatching(/^the oldest webhook event waiting to be applied arrived 7\d\d s ago$/),
      "1 email(s) given up on",
      expect.stringMatching(/^the oldest email waiting to be sent was queued 45\d\d s ago$/),
    ]);
    // Counts and ages only: nothing that names an event, a supporter or an address.
    expect(JSON.stringify(body)).not.toMatch(/evt_|@|reader/);
  });
});
