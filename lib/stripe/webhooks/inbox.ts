import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { getDb, rawQuery } from "@/db";
import { type StripeEventRow, stripeEvents } from "@/db/schema";
import { isDatabaseUnavailable } from "@/lib/errors";
import { describeError, log } from "@/lib/log";
import { getStripe } from "../client";
import { type ApplyEffects, handlerFor, isHandledEventType } from "./handlers";
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
const CLAIM_BATCH = 10;

export type LeaseOptions = {
  /** The claim's lease (LEASE_SECONDS); tests shorten it to see it run out or be renewed. */
  leaseSeconds?: number;
};

/** Seconds to wait before the next attempt: 5 s, 10 s, 20 s … then hourly. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));
}


export type StoreOutcome = "stored" | "duplicate" | "ignored";
type Waiting = { event: Stripe.Event; rawBody: string; resolve: (outcome: StoreOutcome) => void; reject: (error: unknown) => void };
type WriterState = { queue: Waiting[]; inFlight: number };

// Group commit: events that arrive while a write is in flight go into the next write, one
// multi-row INSERT and one WAL flush for many webhooks. Nothing is acknowledged before its row
// is committed, so the queue holds only requests still waiting for their answer.
const MAX_WRITES_IN_FLIGHT = 1;
const MAX_BATCH = 200;
const writerKey = Symbol.for("readerfund.inboxWriter");
type GlobalWithWriter = typeof globalThis & { [writerKey]?: WriterState };

function writer(): WriterState {
  const holder = globalThis as GlobalWithWriter;
  holder[writerKey] ??= { queue: [], inFlight: 0 };

  return holder[writerKey];
}

/**
 * Stores a verified event exactly once, resolving when it is durably committed. Types we do not
 * handle are stored as `ignored`, so the inbox is a complete record of what Stripe told us, and a
 * later handler can replay them. Rejects if the write fails: the caller answers 5xx.
 */
export function storeStripeEvent(event: Stripe.Event, rawBody: string): Promise<StoreOutcome> {
  return new Promise((resolve, reject) => {
    const state = writer();
    state.queue.push({ event, rawBody, resolve, reject });
    pumpWriter(state);
  });
}

function pumpWriter(state: WriterState): void {
  while (state.inFlight < MAX_WRITES_IN_FLIGHT && state.queue.length > 0) {
    const batch = state.queue.splice(0, MAX_BATCH);
    state.inFlight++;
    void writeBatch(batch).finally(() => {
      state.inFlight--;
      pumpWriter(state);
    });
  }
}

async function writeBatch(batch: Waiting[]): Promise<void> {
  // Stripe may deliver the same event twice at once: the first copy is the one that stores it.
  const firstById = new Map<string, Waiting>();
  for (const item of batch) if (!firstById.has(item.event.id)) firstById.set(item.event.id, item);
  // The hottest statement in the app: built by hand, straight to the driver. The verified body
  // goes in as sent, never re-serialised.
  const params: unknown[] = [];
  const tuples = [...firstById.values()].map(({ event, rawBody }) => {
    const handled = isHandledEventType(event.type);
    const object = event.data?.object as { id?: unknown } | undefined;
    const base = params.length;
    params.push(
      event.id,
      event.type,
      event.api_version ?? null,
      event.livemode === true,
      typeof object?.id === "string" ? object.id : null,
      event.created ?? 0,
      // Events we do not act on are recorded without their payload: it can hold personal data
      // (card details of a declined attempt, for one), and Stripe keeps every event for 30 days.
      handled ? rawBody : null,
      handled ? "pending" : "ignored",
    );
    const p = (n: number) => `$${base + n}`;

    return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, to_timestamp(${p(6)}), ${p(7)}::json, ${p(8)}::stripe_event_status, ${handled ? "null" : "now()"})`;
  });
  try {
    const result = await rawQuery<{ id: string }>(
      `insert into stripe_events (id, type, api_version, livemode, object_id, stripe_created_at, payload, status, processed_at)
       values ${tuples.join(", ")}
       on conflict (id) do nothing
       returning id`,
      params,
    );
    const inserted = new Set(result.map((r) => r.id));
    for (const item of batch) {
      const isFirst = firstById.get(item.event.id) === item;
      if (!isFirst || !inserted.has(item.event.id)) item.resolve("duplicate");
      else item.resolve(isHandledEventType(item.event.type) ? "stored" : "ignored");
    }
  } catch (error) {
    // One event the database refuses (a data error) must not fail the webhooks that happened to
    // share its write. Any other failure (the database is down) fails them all at once: Stripe retries.
    if (firstById.size === 1 || !isDataError(error)) {
      for (const item of batch) item.reject(error);

      return;
    }
    for (const item of batch) await writeBatch([item]);
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): this row, not the database. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code ?? ((error as { cause?: { code?: unknown } } | null)?.cause?.code as unknown);

  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
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

type Ready = { row: StripeEventRow; apply: ApplyEffects | null };
type Prepared = Ready | { row: StripeEventRow; error: unknown };

/**
 * Reads what a claimed event needs from Stripe, outside any transaction (the handler re-fetches
 * current state, since the event's snapshot may be stale) and returns the writes to make, or null
 * when the event changes nothing of ours.
 */
async function prepare(row: StripeEventRow): Promise<Prepared> {
  try {
    const event = row.payload as Stripe.Event;
    const handler = handlerFor(event.type);

    return { row, apply: handler ? await handler(event, { stripe: getStripe() }) : null };
  } catch (error) {
    return { row, error };
  }
}

// Within a batch, effects are applied in the order Stripe created the events, and for events of
// the same second, those that record payments before those that refer to them (fees, refunds,
// disputes), so a batch rarely has to wait for itself.
const APPLY_RANK: Record<string, number> = {
  "charge.updated": 1,
  "charge.refunded": 2,
  "charge.refund.updated": 2,
  "refund.created": 2,
  "refund.updated": 2,
  "refund.failed": 2,
  "charge.dispute.created": 2,
  "charge.dispute.updated": 2,
  "charge.dispute.closed": 2,
  "charge.dispute.funds_withdrawn": 2,
  "charge.dispute.funds_reinstated": 2,
};
const byStripeOrder = (a: Ready, b: Ready) =>
  a.row.stripeCreatedAt.getTime() - b.row.stripeCreatedAt.getTime() || (APPLY_RANK[a.row.type] ?? 0) - (APPLY_RANK[b.row.type] ?? 0);

/**
 * Applies prepared events and marks them, all in one transaction: `processed` when they wrote
 * something, `ignored` when they had nothing to do for us. The row locks and the status check make
 * a second worker holding a stale lease a no-op, so effects happen exactly once.
 */
async function applyInOneTransaction(prepared: Ready[]): Promise<number> {
  const ids = prepared.map((p) => p.row.id);

  return getDb().transaction(async (tx) => {
    const pending = await tx
      .select({ id: stripeEvents.id })
      .from(stripeEvents)
      .where(and(inArray(stripeEvents.id, ids), eq(stripeEvents.status, "pending")))
      .orderBy(asc(stripeEvents.id))
      .for("update");
    const stillPending = new Set(pending.map((r) => r.id));
    const applied: string[] = [];
    const ignored: string[] = [];
    for (const { row, apply } of [...prepared].sort(byStripeOrder)) {
      if (!stillPending.has(row.id)) continue;
      if (apply) {
        await apply(tx);
        applied.push(row.id);
      } else {
        ignored.push(row.id);
      }
    }
    for (const [status, list] of [
      ["processed", applied],
      ["ignored", ignored],
    ] as const) {
      if (list.length === 0) continue;
      await tx
        .update(stripeEvents)
        // Once applied, Stripe's body is not kept: it holds personal data (emails, addresses, a
        // disputing bank's evidence) that the ledger does not need, and Stripe keeps every event for
        // 30 days should we. Parked events keep theirs for the person who looks at them.
        .set({ status, processedAt: sql`now()`, lockedUntil: null, lastError: null, payload: null })
        .where(inArray(stripeEvents.id, list));
    }

    return applied.length + ignored.length;
  });
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

async function release(row: StripeEventRow, error: unknown): Promise<void> {
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
async function releaseRemembered(): Promise<void> {
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
function renewLeases(inHand: Map<string, number>, leaseSeconds: number): () => void {
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

/**
 * Applies a claimed batch: reads from Stripe with `concurrency` requests at a time, then writes the
 * whole batch in one transaction (one commit for many events). If that transaction fails, each
 * event is retried in its own, so one bad event cannot hold back the others. The batch's leases are
 * renewed while it works.
 */
export async function processClaimedBatch(
  rows: StripeEventRow[],
  { concurrency = 4, leaseSeconds = LEASE_SECONDS }: { concurrency?: number } & LeaseOptions = {},
): Promise<{ processed: number; failed: number }> {
  const inHand = new Map(rows.map((row) => [row.id, row.attempts]));
  const stopRenewing = renewLeases(inHand, leaseSeconds);
  try {
    return await applyBatch(rows, concurrency, (row, error) => {
      // Back in the inbox (or remembered, to be put back): no longer this batch's to renew.
      inHand.delete(row.id);

      return release(row, error);
    });
  } finally {
    stopRenewing();
  }
}

async function applyBatch(
  rows: StripeEventRow[],
  concurrency: number,
  giveBack: (row: StripeEventRow, error: unknown) => Promise<void>,
): Promise<{ processed: number; failed: number }> {
  const prepared: Prepared[] = new Array(rows.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
      while (next < rows.length) {
        const index = next++;
        prepared[index] = await prepare(rows[index]!);
      }
    }),
  );
  const totals = { processed: 0, failed: 0 };
  const ready: Ready[] = [];
  for (const item of prepared) {
    if ("error" in item) {
      await giveBack(item.row, item.error);
      totals.failed++;
    } else {
      ready.push(item);
    }
  }
  if (ready.length === 0) return totals;
  try {
    totals.processed += await applyInOneTransaction(ready);
  } catch (batchError) {
    if (ready.length === 1) {
      await giveBack(ready[0]!.row, batchError);
      totals.failed++;

      return totals;
    }
    for (const item of [...ready].sort(byStripeOrder)) {
      try {
        totals.processed += await applyInOneTransaction([item]);
      } catch (error) {
        await giveBack(item.row, error);
        totals.failed++;
      }
    }
  }
  log.debug("webhook batch processed", { events: rows.length, ...totals });

  return totals;
}

/**
 * Claims and applies due events until none are left; returns how many were applied. First puts back
 * any events an outage kept this process from releasing (and throws while the database is away).
 */
export async function drainStripeEvents(
  options: { batchSize?: number; concurrency?: number } & LeaseOptions = {},
): Promise<{ processed: number; failed: number }> {
  const batchSize = options.batchSize ?? CLAIM_BATCH;
  const totals = { processed: 0, failed: 0 };
  for (;;) {
    await releaseRemembered();
    const claimed = await claimDueEvents(batchSize, options);
    if (claimed.length === 0) return totals;
    const outcome = await processClaimedBatch(claimed, options);
    totals.processed += outcome.processed;
    totals.failed += outcome.failed;
  }
}
