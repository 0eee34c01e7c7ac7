import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { type StripeEventRow, stripeEvents } from "@/db/schema";
import { isDatabaseUnavailable } from "@/lib/errors";
import { describeError, log } from "@/lib/log";
import { NotYetApplicable } from "./not-yet-applicable";

/**
 * An event we could not apply is retried for as long as Stripe itself would have retried it (three
 * days), then parked as `failed`, visible, until someone looks at it. We answered Stripe 200 when we
 * stored it, so these retries are the only ones it gets.
 */
export const MAX_RETRY_AGE_HOURS = 72;
/**
 * How long a claim lasts unless its worker renews it. A worker renews its batch's claims every third
 * of this while it works on them, however long its Stripe reads take (a batch whose every read times
 * out and retries takes 10 × 60 s on 2 lanes), so this only bounds how long a dead worker's events wait.
 */
export const LEASE_SECONDS = 60;

export type LeaseOptions = {
  /** The claim's lease (LEASE_SECONDS); tests shorten it to see it run out or be renewed. */
  leaseSeconds?: number;
};

/** Seconds to wait before the next attempt: 5 s, 10 s, 20 s … then hourly. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Takes a lease on up to `limit` due events. SKIP LOCKED lets several workers (in several app
 * instances) claim disjoint batches; an expired lease makes a crashed worker's events due again.
 */
export async function claimDueEvents(limit: number, { leaseSeconds = LEASE_SECONDS }: LeaseOptions = {}): Promise<StripeEventRow[]> {
  const db = getDb();
  // Events that have been failing since Stripe itself would have given up are parked for a person,
  // whoever held them (this also stops an event that kills its worker from being claimed forever).
  await db
    .update(stripeEvents)
    .set({ status: "failed", lockedUntil: null })
    .where(
      and(
        eq(stripeEvents.status, "pending"),
        lte(stripeEvents.nextAttemptAt, sql`now()`),
        lt(stripeEvents.receivedAt, sql`now() - ${MAX_RETRY_AGE_HOURS}::int * interval '1 hour'`),
        or(isNull(stripeEvents.lockedUntil), lt(stripeEvents.lockedUntil, sql`now()`)),
      ),
    );
  const due = db
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(
      and(
        eq(stripeEvents.status, "pending"),
        lte(stripeEvents.nextAttemptAt, sql`now()`),
        or(isNull(stripeEvents.lockedUntil), lt(stripeEvents.lockedUntil, sql`now()`)),
      ),
    )
    .orderBy(asc(stripeEvents.receivedAt))
    .limit(limit)
    .for("update", { skipLocked: true });

  return db
    .update(stripeEvents)
    .set({
      lockedUntil: sql`now() + ${leaseSeconds}::int * interval '1 second'`,
      attempts: sql`${stripeEvents.attempts} + 1`,
    })
    .where(inArray(stripeEvents.id, due))
    .returning();
}

/**
 * A claimed event is still this worker's while it is pending and carries the attempt count this
 * worker's claim gave it: the count is the claim's token. A worker whose lease lapsed and was taken
 * over (the count went up) changes nothing.
 */
const stillOurs = (row: Pick<StripeEventRow, "id" | "attempts">) =>
  and(eq(stripeEvents.id, row.id), eq(stripeEvents.attempts, row.attempts), eq(stripeEvents.status, "pending"));

// Events this process claimed and could not put back because the database was unreachable. They are
// put back first thing on the next pass, so they come back seconds after the database does, rather
// than when their lease runs out. One list per process, shared by every Next bundle.
const unreleasedKey = Symbol.for("readerfund.inboxUnreleased");
type GlobalWithUnreleased = typeof globalThis & { [unreleasedKey]?: Map<string, { row: StripeEventRow; error: unknown }> };

function unreleased(): Map<string, { row: StripeEventRow; error: unknown }> {
  const holder = globalThis as GlobalWithUnreleased;
  holder[unreleasedKey] ??= new Map();

  return holder[unreleasedKey];
}

/** How many claimed events this process still has to put back once the database answers. */
export function eventsAwaitingRelease(): number {
  return unreleased().size;
}

/**
 * Puts an event back with its error, due again after a backoff (it is parked once it is too old); at
 * once if what failed was the database, which is no fault of the event's.
 */
function putBack(row: StripeEventRow, error: unknown): Promise<unknown> {
  const delaySeconds = isDatabaseUnavailable(error) ? 0 : retryDelaySeconds(row.attempts);

  return getDb()
    .update(stripeEvents)
    .set({ lockedUntil: null, lastError: describeError(error).slice(0, 2000), nextAttemptAt: sql`now() + ${delaySeconds}::int * interval '1 second'` })
    .where(stillOurs(row));
}

/**
 * Gives a claimed event back after a failed attempt, with its error. If the database is what failed,
 * the event is remembered and put back once it answers (releaseRemembered), not left to its lease.
 */
export async function release(row: StripeEventRow, error: unknown): Promise<void> {
  const waiting = error instanceof NotYetApplicable;
  const fields = { event: row.id, type: row.type, attempts: row.attempts, error };
  if (waiting) log.info("webhook waits for another event; will retry", fields);
  else log.error("webhook failed; will retry", fields);
  try {
    await putBack(row, error);
  } catch (releaseError) {
    if (!isDatabaseUnavailable(releaseError)) {
      log.error("could not release webhook lease", { event: row.id, error: releaseError });

      return;
    }
    unreleased().set(row.id, { row, error });
    log.warn("could not release webhook lease; will once the database answers", { event: row.id, error: releaseError });
  }
}

/** Puts back the events a database outage kept this process from releasing; throws while it lasts. */
export async function releaseRemembered(): Promise<void> {
  const waiting = unreleased();
  for (const [id, { row, error }] of waiting) {
    await putBack(row, error);
    waiting.delete(id);
    log.info("released webhook lease once the database answered", { event: id });
  }
}

/**
 * Renews this worker's leases on the events in `inHand` (id → the claim's attempt count) every third
 * of the lease until the returned function is called, so a batch whose Stripe reads outlast the
 * lease keeps its claim. Only leases still this worker's are renewed (see stillOurs).
 */
export function renewLeases(inHand: Map<string, number>, leaseSeconds: number): () => void {
  let renewing = false;
  const timer = setInterval(
    () => {
      if (renewing || inHand.size === 0) return;
      renewing = true;
      getDb()
        .update(stripeEvents)
        .set({ lockedUntil: sql`now() + ${leaseSeconds}::int * interval '1 second'` })
        .where(or(...[...inHand].map(([id, attempts]) => stillOurs({ id, attempts }))))
        .catch((error: unknown) => log.warn("could not renew webhook leases", { events: inHand.size, error }))
        .finally(() => (renewing = false));
    },
    (leaseSeconds * 1000) / 3,
  );
  timer.unref();

  return () => clearInterval(timer);
}
