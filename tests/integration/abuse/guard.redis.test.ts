import { randomBytes } from "node:crypto";
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forwardedClientAddress } from "@/lib/abuse/client-ip";
import { type GuardCreation, type GuardInput, createGuard } from "@/lib/abuse/guard";
import { errorResponse } from "@/lib/http";
import { type AbuseLimits } from "@/lib/abuse/limits";
import { createRedis } from "@/lib/abuse/redis";
import { type ChallengeToSolve } from "@/lib/abuse/solve-challenge";
import { useTestDatabase } from "../../support/database";
import { solveQuickly } from "../../support/solve";

/**
 * The rate limits with REDIS_URL set: counters in Redis, shared by instances that each have their
 * own Redis connection. Runs when TEST_REDIS_URL names a Redis (CI starts one); without it the limits
 * live in PostgreSQL (guard.test.ts) and this file says so and skips.
 */
const REDIS_URL = process.env.TEST_REDIS_URL;
useTestDatabase();
if (!REDIS_URL) console.warn("guard.redis.test.ts skipped: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) to test rate limits in Redis.");

const LIMITS: AbuseLimits = {
  checkout: {
    ip: { soft: { points: 3, seconds: 600 }, hard: { points: 6, seconds: 3600 } },
    visitor: { soft: { points: 3, seconds: 600 }, hard: { points: 6, seconds: 3600 } },
  },
  reminder: { email: { hard: { points: 2, seconds: 86_400 } } },
  sign_in: {},
};

describe.skipIf(!REDIS_URL)("rate limits in Redis", () => {
  const connections: Redis[] = [];
  let instanceA: GuardCreation;
  let instanceB: GuardCreation;
  let inspect: Redis;

  beforeAll(() => {
    const [a, b] = [createRedis(REDIS_URL!), createRedis(REDIS_URL!)];
    inspect = createRedis(REDIS_URL!);
    connections.push(a, b, inspect);
    instanceA = createGuard({ redis: a, limits: LIMITS, challengeMaxNumber: 1_000 });
    instanceB = createGuard({ redis: b, limits: LIMITS, challengeMaxNumber: 1_000 });
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit()));
  });

  // A fresh client every test, never seen before: this Redis is shared with other runs, whose
  // counters live up to an hour. An IPv6 address in a random /64 (counted per /64).
  const client = () => {
    const hex = randomBytes(6).toString("hex");

    return `2001:db8:${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 12)}::1`;
  };
  const call = async (guard: GuardCreation, ip: string, input: Partial<GuardInput> = {}) => {
    const result = await guard({ scope: "checkout", clientAddress: forwardedClientAddress(ip), ...input });
    if (result.ok) return { status: 200, body: null };
    const response = errorResponse(result.error);

    return { status: response.status, body: (await response.json()) as { error: { code: string; challenge?: ChallengeToSolve } }, retryAfter: response.headers.get("retry-after") };
  };

  it("shares counts between instances: soft limit → proof of work, hard limit → 429 with Retry-After", async () => {
    const ip = client();
    const visitorId = `visitor_${randomBytes(8).toString("hex")}`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(i % 2 ? instanceB : instanceA, ip, { visitorId })).status);
    expect(statuses).toEqual([200, 200, 200]);
    const asked = await call(instanceB, ip, { visitorId });
    expect(asked.status).toBe(428);
    const solution = solveQuickly(asked.body!.error.challenge!);
    expect((await call(instanceA, ip, { visitorId, challenge: solution })).status).toBe(200);
    // Spent on one instance, refused on the other.
    expect((await call(instanceB, ip, { visitorId, challenge: solution })).status).toBe(428);
    // The seventh attempt in the hour is past the hard limit (six), challenge or not.
    const limited = await call(instanceA, ip, { visitorId });
    expect(limited.status).toBe(429);
    expect(limited.body!.error.code).toBe("RATE_LIMITED");
    expect(Number(limited.retryAfter)).toBeGreaterThan(3000);

    // Keys hold hashes and expire with their windows, never longer than a day.
    const keys = await inspect.keys("readerfund:checkout:*");
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(" ")).not.toContain(ip);
    expect(keys.join(" ")).not.toContain(visitorId);
    for (const key of keys) {
      const ttl = await inspect.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(86_400);
    }
  });

  it("counts in memory while Redis is unreachable, and still holds the limits", async () => {
    const down = createRedis("redis://127.0.0.1:1");
    connections.push(down);
    const guard = createGuard({ redis: down, limits: LIMITS, challengeMaxNumber: 1_000 });
    const ip = client();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(guard, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 428]);
  });
});
