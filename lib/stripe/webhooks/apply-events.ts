import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { getDb } from "@/db";
import { type StripeEventRow, stripeEvents } from "@/db/schema";
import { killPoint } from "@/lib/kill-point";
import { log, withRequestId } from "@/lib/log";
import { getWorkerStripe } from "../client";
import type { ApplyEffects } from "./event-handler";
import { applyRankOf, handlerFor } from "./handlers";
import { claimDueEvents, LEASE_SECONDS, type LeaseOptions, release, releaseRemembered, renewLeases } from "./inbox-leases";

const CLAIM_BATCH = 10;

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

    return { row, apply: handler ? await withRequestId(row.requestId, () => handler(event, { stripe: getWorkerStripe() })) : null };
  } catch (error) {
    return { row, error };
  }
}

// Within a batch, effects are applied in the order Stripe created the events, and for events of the
// same second, by their handlers' rank (lib/stripe/webhooks/handlers.ts), so a batch rarely has to
// wait for itself.
const byStripeOrder = (a: Ready, b: Ready) => a.row.stripeCreatedAt.getTime() - b.row.stripeCreatedAt.getTime() || applyRankOf(a.row.type) - applyRankOf(b.row.type);

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
      // Under the id of the delivery that stored the event: what it logs and the emails it queues
      // (which keep the id) read as that request's.
      await withRequestId(row.requestId, async () => {
        if (apply) {
          await apply(tx);
          killPoint("batch-applying");
        }
        log.debug(apply ? "webhook applied" : "webhook needed nothing of ours", { event: row.id, type: row.type });
      });
      (apply ? applied : ignored).push(row.id);
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
  putBack: (row: StripeEventRow, error: unknown) => Promise<void>,
): Promise<{ processed: number; failed: number }> {
  // What the release logs (the error, the retry) reads as the delivery's that stored the event.
  const giveBack = (row: StripeEventRow, error: unknown) => withRequestId(row.requestId, () => putBack(row, error));
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
