import type Stripe from "stripe";
import { rawQuery } from "@/db";
import { currentRequestId } from "@/lib/log";
import { isHandledEventType } from "./handlers";

/**
 * The inbox's ingest: a verified event stored once, keyed by its Stripe id, before Stripe is
 * answered. Applying it is apply-events.ts's work.
 */

export type StoreOutcome = "stored" | "duplicate" | "ignored";
type Waiting = { event: Stripe.Event; rawBody: string; requestId: string | null; resolve: (outcome: StoreOutcome) => void; reject: (error: unknown) => void };
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
    // Taken now: the write itself runs in whichever request's turn the group commit falls.
    state.queue.push({ event, rawBody, requestId: currentRequestId() ?? null, resolve, reject });
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
  const tuples = [...firstById.values()].map(({ event, rawBody, requestId }) => {
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
      requestId,
    );
    const p = (n: number) => `$${base + n}`;

    return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, to_timestamp(${p(6)}), ${p(7)}::json, ${p(8)}::stripe_event_status, ${handled ? "null" : "now()"}, ${p(9)})`;
  });
  try {
    const result = await rawQuery<{ id: string }>(
      `insert into stripe_events (id, type, api_version, livemode, object_id, stripe_created_at, payload, status, processed_at, request_id)
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
