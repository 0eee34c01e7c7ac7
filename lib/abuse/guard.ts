import { lte } from "drizzle-orm";
import type Redis from "ioredis";
import { RateLimiterDrizzle, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { type Database, getDb, type Queryable } from "@/db";
import { rateLimits, spentChallenges } from "@/db/schema";
import { env } from "@/lib/env";
import { AppError, withDatabaseTimeout } from "@/lib/errors";
import { describeError, log } from "@/lib/log";
import { type Challenge, createChallenge, verifyAndSpend, verifyChallengeSolution } from "./challenge";
import { clientIp } from "./client-ip";
import { hashEmail, hashIp, hashVisitorId } from "./hash";
import { rateLimitRedis } from "./redis";
import { type AbuseLimits, checkLimits, DEFAULT_LIMITS, type GuardScope, type Limit, type LimitLevel, type LimitSubject } from "./limits";

export type { GuardScope } from "./limits";

export type GuardInput = { scope: GuardScope; visitorId?: string | null; email?: string | null; challenge?: string | null };
export type GuardResult = { ok: true } | { ok: false; response: Response };
export type GuardCreation = (request: Request, input: GuardInput) => Promise<GuardResult>;

export type GuardOptions = {
  /** The database the counters live in; by default the app's, looked up at each call. */
  db?: Database;
  limits?: AbuseLimits;
  /**
   * Where the counters live: Redis when given (by default, when REDIS_URL is set), else the
   * database. Spent challenges are always in the database.
   */
  redis?: Redis | null;
  /** Difficulty of the challenges this guard hands out (see CHALLENGE_MAX_NUMBER). */
  challengeMaxNumber?: number;
  /** How long to wait for the database before counting in memory (DATABASE_TIMEOUT_MS). */
  databaseTimeoutMs?: number;
};

/**
 * A healthy database settles a guard's transaction in milliseconds. One that does not answer at all
 * (a network that drops packets) keeps a query waiting for the driver's connect timeout, 30 seconds,
 * and a reader should not wait that long for a Checkout Session that needs no database at all.
 */
export const DATABASE_TIMEOUT_MS = 3_000;

/** One counter this request touches: a subject's level in a scope, keyed by today's hash. */
type Counter = { prefix: string; level: LimitLevel; limit: Limit; key: string; previousDayKey: string | null };

type Store = { consume(key: string, points?: number): Promise<RateLimiterRes>; get(key: string): Promise<RateLimiterRes | null> };

type Decision = { kind: "ok" } | { kind: "limited"; retryAfterSeconds: number } | { kind: "challenge" };

const SUBJECTS: LimitSubject[] = ["ip", "visitor", "email"];

/**
 * Builds the guard for the endpoints that create things (Checkout Sessions, reminders). Several
 * guards on one database share their counts, as several app instances do.
 *
 * Each call counts one attempt against every counter that applies and decides in one transaction
 * (on PostgreSQL), so a failure leaves no counter moved and no challenge spent. When the store fails, the guard
 * counts in this instance's memory instead, with the same limits, until it is back. It neither
 * refuses everyone (checkout needs no database of ours, and readers could not give for the length
 * of an outage) nor lets everyone through (the moment the database is down would be the moment to
 * test cards): each instance still holds every client to the same soft and hard limits, and a
 * solution is still accepted once per instance.
 *
 * A request is counted by what it carries: the address (lib/abuse/client-ip.ts), the visitor id
 * if the widget sent one, the email if the scope counts emails. One without an address and a
 * visitor id is counted as well; one without an address shares one address counter with every other
 * such request, so the proxy's address header must be configured.
 *
 * With REDIS_URL set, the counters are rate-limiter-flexible's Redis store instead (keys expire
 * with their windows). Otherwise they are its Drizzle store, built per call on the transaction, with its
 * clean-up timer off: timers would keep a process or test alive, and `deleteExpiredAbuseRows` does
 * that work from the hourly scheduled run. (Next must leave the package unbundled,
 * `serverExternalPackages` in next.config.ts: it imports drizzle-orm by a computed name. Bundled,
 * every call fails over to memory and logs "Cannot find module as expression is too dynamic".)
 */
export function createGuard(options: GuardOptions = {}): GuardCreation {
  const limits = checkLimits(options.limits ?? DEFAULT_LIMITS);
  // Memory counters time out by their own timers, which the library unrefs: they hold no process open.
  const memoryStores = new Map<string, Store>();
  const spentInMemory = new Map<string, number>();

  const memoryStore = (counter: Counter): Store => {
    let store = memoryStores.get(counter.prefix);
    if (!store) {
      store = new RateLimiterMemory({ keyPrefix: counter.prefix, points: counter.limit.points, duration: counter.limit.seconds });
      memoryStores.set(counter.prefix, store);
    }

    return store;
  };

  const spendInMemory = async (payload: string): Promise<boolean> => {
    const verified = await verifyChallengeSolution(payload);
    if (!verified) return false;
    const now = Date.now();
    for (const [signature, expiresAt] of spentInMemory) if (expiresAt <= now) spentInMemory.delete(signature);
    if (spentInMemory.has(verified.signature)) return false;
    spentInMemory.set(verified.signature, verified.expiresAt.getTime());

    return true;
  };

  return async (request, input) => {
    const counters = countersFor(limits, input, clientIp(request) ?? unidentified(input), new Date());
    let decision: Decision;
    const redis = options.redis === undefined ? rateLimitRedis() : options.redis;
    try {
      // With Redis the counters live there and the spend in the database: a spend that fails
      // after the count leaves one attempt counted, never a solution accepted twice.
      const decided = redis
        ? decide(counters, (counter) => redisStore(redis, counter), input.challenge, (payload) => verifyAndSpend(payload, options.db ?? getDb()))
        : (options.db ?? getDb()).transaction((tx) =>
            decide(
              counters,
              (counter) =>
                new RateLimiterDrizzle({
                  storeClient: tx,
                  schema: rateLimits,
                  keyPrefix: counter.prefix,
                  points: counter.limit.points,
                  duration: counter.limit.seconds,
                  clearExpiredByTimeout: false,
                }),
              input.challenge,
              (payload) => verifyAndSpend(payload, tx),
            ),
          );
      // A transaction that commits after we gave up on it counted this request twice (there and in
      // memory), never half: it is all or nothing.
      decision = await withDatabaseTimeout(decided, options.databaseTimeoutMs ?? DATABASE_TIMEOUT_MS);
    } catch (error) {
      log.error(`abuse guard: ${redis ? "Redis or the database" : "the database"} failed; counting in this instance's memory`, {
        scope: input.scope,
        error: describeError(error),
      });
      decision = await decide(counters, memoryStore, input.challenge, spendInMemory);
    }

    return respond(decision, options.challengeMaxNumber);
  };
}

let warnedUnidentified = false;

/**
 * A request without a client address would be counted only by what it sends itself (a visitor id
 * is the client's to choose), and a script could then create sessions without end: such requests
 * share one address counter instead. It means no proxy is configured (CLIENT_IP_HEADER) or the
 * proxy did not set its header, which is said once per process.
 */
function unidentified(input: GuardInput): string {
  if (!warnedUnidentified) {
    warnedUnidentified = true;
    const header = env().clientIpHeader;
    log.warn(
      header === null
        ? "abuse guard: CLIENT_IP_HEADER is not set, so no client address is believed and every request shares one address rate limit (set it to the header your proxy writes)"
        : `abuse guard: a request without a client address in ${header}; such requests share one address rate limit (check the proxy sets it)`,
      { scope: input.scope },
    );
  }

  return "unidentified";
}

/** A counter in Redis: the key expires with its window, so nothing there outlives a day. */
function redisStore(redis: Redis, counter: Counter): Store {
  return new RateLimiterRedis({ storeClient: redis, keyPrefix: `readerfund:${counter.prefix}`, points: counter.limit.points, duration: counter.limit.seconds });
}

let defaultGuard: GuardCreation | undefined;

/** The guard on the app's database with the production limits. */
export function guardCreation(request: Request, input: GuardInput): Promise<GuardResult> {
  defaultGuard ??= createGuard();

  return defaultGuard(request, input);
}

/**
 * Deletes counters whose window has ended and spent challenges that have expired (a replay of one
 * fails on its expiry alone). For the hourly scheduled work; uses the app's clock, as the counters do.
 */
export async function deleteExpiredAbuseRows(db: Queryable = getDb(), now: Date = new Date()): Promise<{ rateLimits: number; spentChallenges: number }> {
  const counters = await db.delete(rateLimits).where(lte(rateLimits.expire, now)).returning({ key: rateLimits.key });
  const challenges = await db.delete(spentChallenges).where(lte(spentChallenges.expiresAt, now)).returning({ signature: spentChallenges.signature });

  return { rateLimits: counters.length, spentChallenges: challenges.length };
}

function countersFor(limits: AbuseLimits, input: GuardInput, ip: string | null, now: Date): Counter[] {
  const { visitorId, email } = input;
  const hashers: Record<LimitSubject, ((at: Date) => string) | null> = {
    ip: ip ? (at) => hashIp(ip, at) : null,
    visitor: visitorId ? (at) => hashVisitorId(visitorId, at) : null,
    email: email?.trim() ? (at) => hashEmail(email, at) : null,
  };
  const previousDay = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const secondsIntoDay = (now.getTime() - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) / 1000;
  const counters: Counter[] = [];
  // A fixed order (ip, visitor, email; soft, hard) so that concurrent transactions lock rows in the
  // same order and cannot deadlock.
  for (const subject of SUBJECTS) {
    const hash = hashers[subject];
    const levels = limits[input.scope][subject];
    if (!hash || !levels) continue;
    const today = hash(now);
    const yesterday = hash(previousDay);
    for (const level of ["soft", "hard"] as const) {
      const limit = levels[level];
      if (!limit) continue;
      counters.push({
        prefix: `${input.scope}:${subject}:${level}`,
        level,
        limit,
        key: today,
        // The hash changes at midnight UTC; a window that began yesterday still counts until it ends.
        previousDayKey: secondsIntoDay < limit.seconds ? yesterday : null,
      });
    }
  }

  return counters;
}

async function decide(
  counters: Counter[],
  storeFor: (counter: Counter) => Store,
  challenge: string | null | undefined,
  spend: (payload: string) => Promise<boolean>,
): Promise<Decision> {
  let hardWaitMs: number | null = null;
  let softExceeded = false;
  for (const counter of counters) {
    const { exceeded, msBeforeReset } = await count(storeFor(counter), counter);
    if (!exceeded) continue;
    if (counter.level === "hard") hardWaitMs = Math.max(hardWaitMs ?? 0, msBeforeReset);
    else softExceeded = true;
  }
  if (hardWaitMs !== null) return { kind: "limited", retryAfterSeconds: Math.max(1, Math.ceil(hardWaitMs / 1000)) };
  if (!softExceeded) return { kind: "ok" };
  if (challenge && (await spend(challenge))) return { kind: "ok" };

  return { kind: "challenge" };
}

/** Consumes one point, and adds what is left of yesterday's window for the same client. */
async function count(store: Store, counter: Counter): Promise<{ exceeded: boolean; msBeforeReset: number }> {
  let current: RateLimiterRes;
  try {
    current = await store.consume(counter.key, 1);
  } catch (outcome) {
    // The library rejects with the counter's state when it is over its points, and with an Error when the store failed.
    if (!(outcome instanceof RateLimiterRes)) throw outcome;
    current = outcome;
  }
  const previous = counter.previousDayKey ? await store.get(counter.previousDayKey) : null;
  const carried = previous && previous.msBeforeNext > 0 ? previous : null;
  const points = counter.limit.points;
  if (current.consumedPoints > points) return { exceeded: true, msBeforeReset: current.msBeforeNext };
  // Yesterday's window began first and is as long, so it ends first: then only today's count remains.
  if (carried && current.consumedPoints + carried.consumedPoints > points) return { exceeded: true, msBeforeReset: carried.msBeforeNext };

  return { exceeded: false, msBeforeReset: 0 };
}

async function respond(decision: Decision, challengeMaxNumber: number | undefined): Promise<GuardResult> {
  if (decision.kind === "ok") return { ok: true };
  if (decision.kind === "limited") {
    const error = new AppError("RATE_LIMITED", `Too many attempts. Please try again in ${describeWait(decision.retryAfterSeconds)}.`);

    return {
      ok: false,
      response: Response.json(
        { error: { code: error.code, message: error.message } },
        { status: error.status, headers: { "retry-after": String(decision.retryAfterSeconds), "cache-control": "no-store" } },
      ),
    };
  }
  const error = new AppError("CHALLENGE_REQUIRED", "There have been many attempts from your connection. Your browser needs to solve a short check before we continue.");
  const challenge: Challenge = await createChallenge({ maxNumber: challengeMaxNumber });

  return {
    ok: false,
    response: Response.json({ error: { code: error.code, message: error.message, challenge } }, { status: error.status, headers: { "cache-control": "no-store" } }),
  };
}

/** "a minute", "12 minutes", "an hour", "5 hours": rounded up, so trying again then works. */
export function describeWait(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  if (minutes <= 1) return "a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.ceil(minutes / 60);

  return hours === 1 ? "an hour" : `${hours} hours`;
}
