import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { getDb } from "@/db";
import { type StripeEventRow, stripeEvents } from "@/db/schema";
import { describeError, log } from "@/lib/log";
import { getStripe } from "../client";
import { handlerFor, isHandledEventType } from "./handlers";

/** After this many failed attempts an event is parked as `failed`, visible, until someone retries it. */
export const MAX_PROCESSING_ATTEMPTS = 10;
const LEASE_SECONDS = 60;

/** Seconds to wait before the next attempt: 5 s, 10 s, 20 s … capped at an hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Stores a verified event exactly once. Types we do not handle are stored as `ignored`, so the
 * inbox is a complete record of what Stripe told us, and a later handler can replay them.
 */
export async function storeStripeEvent(event: Stripe.Event): Promise<"stored" | "duplicate" | "ignored"> {
  const handled = isHandledEventType(event.type);
  const object = event.data?.object as { id?: unknown } | undefined;
  const inserted = await getDb()
    .insert(stripeEvents)
    .values({
      id: event.id,
      type: event.type,
      apiVersion: event.api_version ?? null,
      livemode: event.livemode === true,
      objectId: typeof object?.id === "string" ? object.id : null,
      stripeCreatedAt: new Date((event.created ?? 0) * 1000),
      payload: event,
      status: handled ? "pending" : "ignored",
      processedAt: handled ? null : new Date(),
    })
    .onConflictDoNothing({ target: stripeEvents.id })
    .returning({ id: stripeEvents.id });

  if (inserted.length === 0) return "duplicate";

  return handled ? "stored" : "ignored";
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

/**
 * Applies one claimed event. The handler first reads what it needs from Stripe (outside any
 * transaction), then its writes and the `processed` mark commit together; the row lock and the
 * status check make a second worker holding a stale lease a no-op, so effects happen exactly once.
 */
export async function processClaimedEvent(row: StripeEventRow): Promise<"processed" | "skipped" | "failed"> {
  const db = getDb();
  const event = row.payload as Stripe.Event;
  try {
    const handler = handlerFor(event.type);
    const apply = handler ? await handler(event, { stripe: getStripe() }) : null;
    const outcome = await db.transaction(async (tx) => {
      const [current] = await tx
        .select({ status: stripeEvents.status })
        .from(stripeEvents)
        .where(eq(stripeEvents.id, row.id))
        .for("update");
      if (current?.status !== "pending") return "skipped" as const;
      if (apply) await apply(tx);
      await tx
        .update(stripeEvents)
        .set({ status: "processed", processedAt: sql`now()`, lockedUntil: null, lastError: null })
        .where(eq(stripeEvents.id, row.id));

      return "processed" as const;
    });
    log.debug("webhook processed", { event: row.id, type: row.type, outcome });

    return outcome;
  } catch (error) {
    const parked = row.attempts >= MAX_PROCESSING_ATTEMPTS;
    log.error(parked ? "webhook failed for good" : "webhook failed; will retry", {
      event: row.id,
      type: row.type,
      attempts: row.attempts,
      error,
    });
    await db
      .update(stripeEvents)
      .set({
        status: parked ? "failed" : "pending",
        lockedUntil: null,
        lastError: describeError(error).slice(0, 2000),
        nextAttemptAt: sql`now() + ${retryDelaySeconds(row.attempts)}::int * interval '1 second'`,
      })
      .where(and(eq(stripeEvents.id, row.id), eq(stripeEvents.status, "pending")))
      .catch((releaseError: unknown) => log.error("could not release webhook lease", { event: row.id, error: releaseError }));

    return "failed";
  }
}

/** Claims and applies due events until none are left; returns how many were applied. */
export async function drainStripeEvents(options: { batchSize?: number; concurrency?: number } = {}): Promise<{ processed: number; failed: number }> {
  const batchSize = options.batchSize ?? 20;
  const concurrency = options.concurrency ?? 4;
  const totals = { processed: 0, failed: 0 };
  for (;;) {
    const claimed = await claimDueEvents(batchSize);
    if (claimed.length === 0) return totals;
    let next = 0;
    const lanes = Array.from({ length: Math.min(concurrency, claimed.length) }, async () => {
      while (next < claimed.length) {
        const row = claimed[next++]!;
        const outcome = await processClaimedEvent(row);
        if (outcome === "processed") totals.processed++;
        if (outcome === "failed") totals.failed++;
      }
    });
    await Promise.all(lanes);
  }
}
