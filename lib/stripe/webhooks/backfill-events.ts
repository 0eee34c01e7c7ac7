import type Stripe from "stripe";
import { getWorkerStripe } from "../client";
import { storeStripeEvent } from "./inbox-store";

export type BackfillResult = {
  /** Events Stripe listed for the span. */
  listed: number;
  /** Of them, new to the inbox: the worker applies them as if they had just been delivered. */
  stored: number;
  /** Already in the inbox (delivered, or backfilled before): nothing changes. */
  duplicate: number;
  /** New, of types we do not act on: kept as a record, as a delivery would be. */
  ignored: number;
  /** The span asked for, as unix seconds (until exclusive). */
  since: number;
  until: number;
};

/** How far back Stripe lists events: older ones are gone, and asking for them is a mistake. */
export const STRIPE_EVENT_RETENTION_DAYS = 30;
// One page of the list per read: a backfill of thousands of events costs tens of reads, not one each.
const PAGE_SIZE = 100;

/**
 * Brings into the inbox every event Stripe created in [since, until) that it lacks, from Stripe's
 * event list (`GET /v1/events`, paged): after an outage longer than Stripe's three days of
 * retries, what no delivery will bring again. Each goes through the same store as a delivery,
 * keyed by its id, so running it twice, or over a span whose events did arrive, stores nothing
 * twice; the worker applies what is new, re-reading Stripe as for any event. Listed events carry the
 * account's API version rather than the endpoint's; the handlers take little from an event itself
 * (ids, metadata, its time) and fetch the objects, so for them a listed event is a delivered one.
 */
export async function backfillStripeEvents(span: { since: Date; until?: Date }, stripe: Stripe = getWorkerStripe()): Promise<BackfillResult> {
  const since = Math.floor(span.since.getTime() / 1000);
  const until = Math.floor((span.until ?? new Date()).getTime() / 1000);
  const result: BackfillResult = { listed: 0, stored: 0, duplicate: 0, ignored: 0, since, until };
  let page: Stripe.Event[] = [];
  const storePage = async () => {
    // A page at once: the inbox's group commit writes it as one insert.
    const outcomes = await Promise.all(page.map((event) => storeStripeEvent(event, JSON.stringify(event))));
    for (const outcome of outcomes) result[outcome === "stored" ? "stored" : outcome === "duplicate" ? "duplicate" : "ignored"]++;
    page = [];
  };
  for await (const event of stripe.events.list({ created: { gte: since, lt: until }, limit: PAGE_SIZE })) {
    result.listed++;
    page.push(event);
    if (page.length === PAGE_SIZE) await storePage();
  }
  await storePage();

  return result;
}
