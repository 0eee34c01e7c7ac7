import type Redis from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import { type Database, getDb } from "@/db";
import { env } from "@/lib/env";
import { AppError, withDatabaseTimeout } from "@/lib/errors";
import { describeError, log } from "@/lib/log";
import { createChallenge, verifyAndSpend, verifyChallengeSolution } from "./challenge";
import { type Counter, countersFor, type Decision, decide, type Store, tallyInStores } from "./counters";
import { tallyInDatabase } from "./database-counters";
import { rateLimitRedis } from "./redis";
import { type AbuseLimits, checkLimits, DEFAULT_LIMITS, type GuardScope } from "./limits";

export type { GuardScope } from "./limits";

export type GuardInput = {
  scope: GuardScope;
  /** The client's address as a proxy we trust wrote it (lib/http.ts), or null without one. */
  clientAddress: string | null;
  visitorId?: string | null;
  email?: string | null;
  challenge?: string | null;
};
/** Go ahead, or the refusal: RATE_LIMITED (with retryAfterSeconds) or CHALLENGE_REQUIRED (with the challenge). */
export type GuardResult = { ok: true } | { ok: false; error: AppError };
export type GuardCreation = (input: GuardInput) => Promise<GuardResult>;

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

/**
 * Builds the guard for the endpoints that create things (Checkout Sessions, reminders). Several
 * guards on one database share their counts, as several app instances do.
 *
 * Each call counts one attempt against every counter that applies and decides, on PostgreSQL in one
 * statement (lib/abuse/database-counters.ts), or in one transaction with the spending of a challenge
 * when the request brings one, so a failure leaves no counter moved and no challenge spent. When the
 * store fails, the guard counts in this instance's memory instead, with the same limits, until it is
 * back. It neither refuses everyone (checkout needs no database of ours, and readers could not give
 * for the length of an outage) nor lets everyone through (the moment the database is down would be
 * the moment to test cards): each instance still holds every client to the same soft and hard
 * limits, and a solution is still accepted once per instance.
 *
 * A request is counted by what it carries: the address (lib/abuse/client-ip.ts), the visitor id
 * if the widget sent one, the email if the scope counts emails. One without an address and a
 * visitor id is counted as well; one without an address shares one address counter with every other
 * such request, so the proxy's address header must be configured.
 *
 * With REDIS_URL set, the counters are rate-limiter-flexible's Redis store instead (keys expire
 * with their windows). In the database, the rows are its Drizzle store's, and expired ones are
 * deleted by `deleteExpiredAbuseRows` from the hourly scheduled run.
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

  return async (input) => {
    const counters = countersFor(limits, { ...input, clientAddress: input.clientAddress ?? unidentified(input) }, new Date());
    let decision: Decision;
    const redis = options.redis === undefined ? rateLimitRedis() : options.redis;
    try {
      // With Redis the counters live there and the spend in the database: a spend that fails
      // after the count leaves one attempt counted, never a solution accepted twice.
      const db = options.db ?? getDb();
      const decided = redis
        ? decide(counters, tallyInStores((counter) => redisStore(redis, counter)), input.challenge, (payload) => verifyAndSpend(payload, db))
        : input.challenge
          ? db.transaction((tx) => decide(counters, tallyInDatabase(tx), input.challenge, (payload) => verifyAndSpend(payload, tx)))
          : decide(counters, tallyInDatabase(db), null, async () => false);
      // A transaction that commits after we gave up on it counted this request twice (there and in
      // memory), never half: it is all or nothing.
      decision = await withDatabaseTimeout(decided, options.databaseTimeoutMs ?? DATABASE_TIMEOUT_MS);
    } catch (error) {
      log.error(`abuse guard: ${redis ? "Redis or the database" : "the database"} failed; counting in this instance's memory`, {
        scope: input.scope,
        error: describeError(error),
      });
      decision = await decide(counters, tallyInStores(memoryStore), input.challenge, spendInMemory);
    }

    return refusalFor(decision, options.challengeMaxNumber);
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
export function guardCreation(input: GuardInput): Promise<GuardResult> {
  defaultGuard ??= createGuard();

  return defaultGuard(input);
}

async function refusalFor(decision: Decision, challengeMaxNumber: number | undefined): Promise<GuardResult> {
  if (decision.kind === "ok") return { ok: true };
  if (decision.kind === "limited") {
    const wait = decision.retryAfterSeconds;

    return { ok: false, error: new AppError("RATE_LIMITED", `Too many attempts. Please try again in ${describeWait(wait)}.`, { retryAfterSeconds: wait }) };
  }
  const challenge = await createChallenge({ maxNumber: challengeMaxNumber });

  return {
    ok: false,
    error: new AppError("CHALLENGE_REQUIRED", "There have been many attempts from your connection. Your browser needs to solve a short check before we continue.", { challenge }),
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
