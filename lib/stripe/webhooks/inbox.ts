import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { getDb, rawQuery } from "@/db";
import { type StripeEventRow, stripeEvents } from "@/db/schema";
import { describeError, log } from "@/lib/log";
import { getStripe } from "../client";
import { type ApplyEffects, handlerFor, isHandledEventType } from "./handlers";

/** After this many failed attempts an event is parked as `failed`, visible, until someone retries it. */
export const MAX_PROCESSING_ATTEMPTS = 10;
const LEASE_SECONDS = 60;

/** Seconds to wait before the next attempt: 5 s, 10 s, 20 s … capped at an hour. */
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
  // goes in as sent (never re-serialised) and Postgres parses it once into jsonb.
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
      rawBody,
      handled ? "pending" : "ignored",
    );
    const p = (n: number) => `$${base + n}`;

    return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, to_timestamp(${p(6)}), ${p(7)}::jsonb, ${p(8)}::stripe_event_status, ${handled ? "null" : "now()"})`;
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
    if (firstById.size === 1) {
      for (const item of batch) item.reject(error);

      return;
    }
    // One event the database refuses must not fail the webhooks that happened to share its write.
    for (const item of batch) await writeBatch([item]);
  }
}

/**
 * Takes a lease on up to `limit` due events. SKIP LOCKED lets several workers (in several app
 * instances) claim disjoint batches; an expired lease makes a crashed worker's events due again.
 */
export async function claimDueEvents(limit: number): Promise<StripeEventRow[]> {
  const db = getDb();
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
      lockedUntil: sql`now() + ${LEASE_SECONDS}::int * interval '1 second'`,
      attempts: sql`${stripeEvents.attempts} + 1`,
    })
    .where(inArray(stripeEvents.id, due))
    .returning();
}

type Prepared = { row: StripeEventRow; apply: ApplyEffects | null } | { row: StripeEventRow; error: unknown };

/**
 * Reads what a claimed event needs from Stripe, outside any transaction (the handler re-fetches
 * current state, since the event's snapshot may be stale) and returns the writes to make.
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

/**
 * Applies prepared events and marks them processed, all in one transaction. The row locks and the
 * status check make a second worker holding a stale lease a no-op, so effects happen exactly once.
 */
async function applyInOneTransaction(prepared: Array<{ row: StripeEventRow; apply: ApplyEffects | null }>): Promise<number> {
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
    for (const { row, apply } of prepared) {
      if (!stillPending.has(row.id)) continue;
      if (apply) await apply(tx);
      applied.push(row.id);
    }
    if (applied.length > 0) {
      await tx
        .update(stripeEvents)
        .set({ status: "processed", processedAt: sql`now()`, lockedUntil: null, lastError: null })
        .where(inArray(stripeEvents.id, applied));
    }

    return applied.length;
  });
}

/** Puts an event back with its error, due again after a backoff, or parks it after the last attempt. */
async function release(row: StripeEventRow, error: unknown): Promise<void> {
  const parked = row.attempts >= MAX_PROCESSING_ATTEMPTS;
  log.error(parked ? "webhook failed for good" : "webhook failed; will retry", { event: row.id, type: row.type, attempts: row.attempts, error });
  await getDb()
    .update(stripeEvents)
    .set({
      status: parked ? "failed" : "pending",
      lockedUntil: null,
      lastError: describeError(error).slice(0, 2000),
      nextAttemptAt: sql`now() + ${retryDelaySeconds(row.attempts)}::int * interval '1 second'`,
    })
    .where(and(eq(stripeEvents.id, row.id), eq(stripeEvents.status, "pending")))
    .catch((releaseError: unknown) => log.error("could not release webhook lease", { event: row.id, error: releaseError }));
}

/**
 * Applies a claimed batch: reads from Stripe with `concurrency` requests at a time, then writes the
 * whole batch in one transaction (one commit for many events). If that transaction fails, each
 * event is retried in its own, so one bad event cannot hold back the others.
 */
export async function processClaimedBatch(rows: StripeEventRow[], concurrency = 4): Promise<{ processed: number; failed: number }> {
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
  const ready: Array<{ row: StripeEventRow; apply: ApplyEffects | null }> = [];
  for (const item of prepared) {
    if ("error" in item) {
      await release(item.row, item.error);
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
      await release(ready[0]!.row, batchError);
      totals.failed++;

      return totals;
    }
    for (const item of ready) {
      try {
        totals.processed += await applyInOneTransaction([item]);
      } catch (error) {
        await release(item.row, error);
        totals.failed++;
      }
    }
  }
  log.debug("webhook batch processed", { events: rows.length, ...totals });

  return totals;
}

/** Claims and applies due events until none are left; returns how many were applied. */
export async function drainStripeEvents(options: { batchSize?: number; concurrency?: number } = {}): Promise<{ processed: number; failed: number }> {
  const batchSize = options.batchSize ?? 20;
  const totals = { processed: 0, failed: 0 };
  for (;;) {
    const claimed = await claimDueEvents(batchSize);
    if (claimed.length === 0) return totals;
    const outcome = await processClaimedBatch(claimed, options.concurrency);
    totals.processed += outcome.processed;
    totals.failed += outcome.failed;
  }
}
