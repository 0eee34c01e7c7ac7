import { createServer } from "node:http";
import { type AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Database, getDb, schema } from "@/db";
import { rateLimits, spentChallenges } from "@/db/schema";
import { deleteExpiredAbuseRows } from "@/lib/abuse/cleanup";
import { forwardedClientAddress } from "@/lib/abuse/client-ip";
import { type GuardCreation, type GuardInput, createGuard } from "@/lib/abuse/guard";
import { errorResponse } from "@/lib/http";
import { type AbuseLimits } from "@/lib/abuse/limits";
import { type ChallengeToSolve } from "@/lib/abuse/solve-challenge";
import { useTestDatabase } from "../../support/database";
import { solveQuickly } from "../../support/solve";

const database = useTestDatabase();

// Small numbers keep the test quick; the shape is production's (lib/abuse/limits.ts).
const LIMITS: AbuseLimits = {
  checkout: {
    ip: { soft: { points: 3, seconds: 600 }, hard: { points: 6, seconds: 3600 } },
    visitor: { soft: { points: 3, seconds: 600 }, hard: { points: 6, seconds: 3600 } },
  },
  reminder: {
    ip: { soft: { points: 4, seconds: 600 }, hard: { points: 20, seconds: 3600 } },
    visitor: { soft: { points: 4, seconds: 600 }, hard: { points: 20, seconds: 3600 } },
    email: { hard: { points: 2, seconds: 86_400 } },
  },
  sign_in: {},
};
const CHALLENGE_MAX_NUMBER = 1_000;

const clients: postgres.Sql[] = [];
let instanceA: GuardCreation;
let instanceB: GuardCreation;

/**
 * Two app instances. On the server, each has its own postgres.js client, as two processes would.
 * PGlite is embedded: only one process can hold its database, so both guards share this process's
 * one instance, which is what running a single embedded instance means.
 */
beforeAll(() => {
  const handles: [Database, Database] =
    database.kind === "postgres"
      ? ([0, 1].map(() => {
          const client = postgres(process.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
          clients.push(client);

          return drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
        }) as [Database, Database])
      : [getDb(), getDb()];
  instanceA = createGuard({ db: handles[0], limits: LIMITS, challengeMaxNumber: CHALLENGE_MAX_NUMBER });
  instanceB = createGuard({ db: handles[1], limits: LIMITS, challengeMaxNumber: CHALLENGE_MAX_NUMBER });
});

afterAll(async () => {
  vi.useRealTimers();
  await Promise.all(clients.map((client) => client.end({ timeout: 5 })));
});

/** The address as the app reads it from our proxy's header: whatever the client claimed, then the address the proxy saw. */
const addressFrom = (ip: string | null) => (ip ? forwardedClientAddress(`192.0.2.250, ${ip}`) : null);
type Attempt = Omit<GuardInput, "clientAddress">;

type ErrorBody = { error: { code: string; message: string; challenge?: ChallengeToSolve } };

/** One attempt, answered as the HTTP layer answers it. */
async function attempt(guard: GuardCreation, ip: string | null, input: Attempt): Promise<{ status: number; body: ErrorBody | null; retryAfter: string | null }> {
  const result = await guard({ ...input, clientAddress: addressFrom(ip) });
  if (result.ok) return { status: 200, body: null, retryAfter: null };
  const response = errorResponse(result.error);

  return { status: response.status, body: (await response.json()) as ErrorBody, retryAfter: response.headers.get("retry-after") };
}

/** The status of each of `count` attempts, alternating between the instances or on one. */
async function statuses(count: number, guards: GuardCreation[], ip: string | null, input: Attempt): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await attempt(guards[i % guards.length]!, ip, input)).status);

  return seen;
}

describe(`abuse guard on ${database.kind}`, () => {
  it("counts across instances: alternating between two reaches the soft limit at the same total as one", async () => {
    const alternating = await statuses(5, [instanceA, instanceB], "203.0.113.1", { scope: "checkout" });
    const single = await statuses(5, [instanceA], "203.0.113.2", { scope: "checkout" });
    expect(alternating).toEqual([200, 200, 200, 428, 428]);
    expect(single).toEqual(alternating);
  });

  it("counts concurrent attempts on both instances exactly once each", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => attempt(i % 2 ? instanceB : instanceA, "203.0.113.5", { scope: "checkout" })));
    const counts = results.reduce<Record<number, number>>((tally, { status }) => ({ ...tally, [status]: (tally[status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 200: 3, 428: 3, 429: 2 });
  });

  it("asks for a challenge past the soft limit; a solution buys one request, once, on any instance", async () => {
    const ip = "2001:db8:aa:1::5";
    expect(await statuses(3, [instanceA, instanceB], ip, { scope: "checkout", visitorId: "v-challenge" })).toEqual([200, 200, 200]);

    const asked = await attempt(instanceA, ip, { scope: "checkout", visitorId: "v-challenge" });
    expect(asked.status).toBe(428);
    expect(asked.body!.error).toMatchObject({ code: "CHALLENGE_REQUIRED", message: expect.any(String), challenge: { algorithm: "SHA-256", maxnumber: CHALLENGE_MAX_NUMBER } });

    const payload = solveQuickly(asked.body!.error.challenge!);
    expect(payload).not.toBeNull();
    // Another address in the same /64 is the same client.
    expect((await attempt(instanceB, "2001:db8:aa:1::6", { scope: "checkout", visitorId: "v-challenge", challenge: payload })).status).toBe(200);

    const replayed = await attempt(instanceA, ip, { scope: "checkout", visitorId: "v-challenge", challenge: payload });
    expect(replayed.status).toBe(428);
    expect(replayed.body!.error.challenge!.signature).not.toBe(asked.body!.error.challenge!.signature);
  });

  it("counts a visitor id across addresses", async () => {
    const visitor = { scope: "checkout", visitorId: "v-roaming" } as const;
    const seen = [];
    for (const ip of ["198.51.100.11", "198.51.100.12", "198.51.100.13", "198.51.100.14"]) seen.push((await attempt(instanceA, ip, visitor)).status);
    expect(seen).toEqual([200, 200, 200, 428]);
    expect((await attempt(instanceB, "198.51.100.15", { ...visitor, challenge: "not a solution" })).status).toBe(428);
  });

  it("refuses past the hard limit with 429 and Retry-After, even with a solved challenge, which stays unspent", async () => {
    const ip = "203.0.113.3";
    expect(await statuses(5, [instanceA, instanceB], ip, { scope: "checkout" })).toEqual([200, 200, 200, 428, 428]);
    const sixth = await attempt(instanceA, ip, { scope: "checkout" });
    expect(sixth.status).toBe(428);
    const payload = solveQuickly(sixth.body!.error.challenge!);

    const limited = await attempt(instanceB, ip, { scope: "checkout", challenge: payload });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: { code: "RATE_LIMITED", message: expect.stringMatching(/^Too many attempts\. Please try again in (an hour|\d+ minutes)\.$/) } });
    const retryAfter = Number(limited.retryAfter);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await getDb().select().from(spentChallenges).where(eq(spentChallenges.signature, sixth.body!.error.challenge!.signature))).toEqual([]);

    // Another client is not affected.
    expect((await attempt(instanceA, "203.0.113.4", { scope: "checkout" })).status).toBe(200);
  });

  it("limits reminders per email, however the address is typed, from any address and browser, for a day", async () => {
    const email = "Limit.Me@Example.org";
    const seen = [];
    for (const [i, typed] of [email, " limit.me@example.org", "LIMIT.ME@EXAMPLE.ORG "].entries()) {
      seen.push(await attempt(i % 2 ? instanceB : instanceA, `198.51.100.${30 + i}`, { scope: "reminder", visitorId: `v-mail-${i}`, email: typed }));
    }
    expect(seen.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(Number(seen[2]!.retryAfter)).toBeGreaterThan(23 * 3600);
    expect(seen[2]!.body!.error.message).toBe("Too many attempts. Please try again in 24 hours.");
    // Checkout does not count emails; other inboxes are not affected.
    expect((await attempt(instanceA, "198.51.100.40", { scope: "checkout", email })).status).toBe(200);
    expect((await attempt(instanceA, "198.51.100.41", { scope: "reminder", email: "someone.else@example.org" })).status).toBe(200);
  });

  it("keeps no address, email or visitor id in rate_limits: only scoped, hashed keys with an expiry", async () => {
    await attempt(instanceA, "203.0.113.77", { scope: "reminder", visitorId: "v-visible-id", email: "private.reader@example.org" });
    const rows = await getDb().select().from(rateLimits);
    expect(rows.length).toBeGreaterThan(10);
    const dump = JSON.stringify(rows).toLowerCase();
    for (const secret of ["203.0.113", "198.51.100", "2001:db8", "192.0.2.250", "v-visible-id", "v-challenge", "private.reader", "example.org", "limit.me"]) {
      expect(dump).not.toContain(secret);
    }
    for (const row of rows) {
      expect(row.key).toMatch(/^(checkout|reminder):(ip|visitor|email):(soft|hard):[A-Za-z0-9_-]{22}$/);
      // eslint-disable-next-line no-restricted-syntax -- rate-limit windows run on the app's real clock
      expect(row.expire!.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    }
  });

  it("deleteExpiredAbuseRows removes expired rows only", async () => {
    const db = getDb();
    const past = new Date(Date.now() - 1000);
    const future = new Date(Date.now() + 60_000);
    await db.insert(rateLimits).values([
      { key: "test:expired", points: 3, expire: past },
      { key: "test:live", points: 3, expire: future },
    ]);
    await db.insert(spentChallenges).values([
      { signature: "expired-signature", expiresAt: past },
      { signature: "live-signature", expiresAt: future },
    ]);
    const before = await db.select().from(rateLimits);

    expect(await deleteExpiredAbuseRows(db)).toEqual({ rateLimits: 1, spentChallenges: 1 });
    const after = await db.select().from(rateLimits);
    expect(after.map((r) => r.key).sort()).toEqual(before.map((r) => r.key).filter((k) => k !== "test:expired").sort());
    const challenges = (await db.select().from(spentChallenges)).map((r) => r.signature);
    expect(challenges).toContain("live-signature");
    expect(challenges).not.toContain("expired-signature");
    // The solution spent in an earlier test is kept until its challenge expires.
    expect(challenges.length).toBe(2);
  });

  it("carries a window across midnight UTC, when the hashes change, until it ends", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const email = "midnight@example.org";
      const reminder = (i: number) => attempt(instanceA, `198.51.100.${60 + i}`, { scope: "reminder", visitorId: `v-midnight-${i}`, email });
      vi.setSystemTime(new Date("2031-05-05T23:50:00Z"));
      expect((await reminder(0)).status).toBe(200);
      expect((await reminder(1)).status).toBe(200);
      vi.setSystemTime(new Date("2031-05-06T00:10:00Z"));
      const carried = await reminder(2);
      expect(carried.status).toBe(429);
      // Yesterday's window ends 24 hours after its first attempt: at 23:50 today.
      expect(Number(carried.retryAfter)).toBe(23 * 3600 + 40 * 60);
      vi.setSystemTime(new Date("2031-05-06T23:51:00Z"));
      // Today's window holds one refused attempt; the second fits.
      expect((await reminder(3)).status).toBe(200);
      expect((await reminder(4)).status).toBe(429);
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts in memory, per instance, while the database is down, and writes nothing", async () => {
    // Nothing listens on port 1; no reconnect backoff, so the test need not wait it out.
    const down = postgres("postgres://postgres@127.0.0.1:1/unreachable", { max: 1, connect_timeout: 2, backoff: () => 0, onnotice: () => {} });
    clients.push(down);
    const offline = createGuard({ db: drizzle(down, { schema, casing: "snake_case" }) as unknown as Database, limits: LIMITS, challengeMaxNumber: CHALLENGE_MAX_NUMBER });
    const rowsBefore = await getDb().select().from(rateLimits);

    const ip = "203.0.113.99";
    expect(await statuses(3, [offline], ip, { scope: "checkout" })).toEqual([200, 200, 200]);
    const asked = await attempt(offline, ip, { scope: "checkout" });
    expect(asked.status).toBe(428);
    const payload = solveQuickly(asked.body!.error.challenge!);
    expect((await attempt(offline, ip, { scope: "checkout", challenge: payload })).status).toBe(200);
    expect((await attempt(offline, ip, { scope: "checkout", challenge: payload })).status).toBe(428);
    const limited = await attempt(offline, ip, { scope: "checkout" });
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);

    expect(await getDb().select().from(rateLimits)).toEqual(rowsBefore);
  });

  it("does not keep a reader waiting on a database that does not answer", async () => {
    // Accepts connections and never says a word, like a server stuck under load.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    const stuck = postgres(`postgres://postgres@127.0.0.1:${port}/stuck`, { max: 1, onnotice: () => {} });
    const guard = createGuard({ db: drizzle(stuck, { schema, casing: "snake_case" }) as unknown as Database, limits: LIMITS, databaseTimeoutMs: 300 });
    try {
      const started = Date.now();
      expect((await attempt(guard, "203.0.113.98", { scope: "checkout" })).status).toBe(200);
      // eslint-disable-next-line no-restricted-syntax -- real time elapsed: the guard gives up on the database, not the date
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await stuck.end({ timeout: 0 });
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
