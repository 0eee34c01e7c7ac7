import type Stripe from "stripe";
import type { Transaction } from "@/db";

/** Writes an event causes, run in the transaction that marks the event processed. */
export type ApplyEffects = (tx: Transaction) => Promise<void>;
export type HandlerDeps = { stripe: Stripe };

/**
 * A handler reads what it needs (re-fetching current state from Stripe, since the event's snapshot
 * may be stale) and returns the writes to make, or null when the event changes nothing for us.
 */
export type EventHandler<E extends Stripe.Event> = (event: E, deps: HandlerDeps) => Promise<ApplyEffects | null>;
