import type Stripe from "stripe";
import type { Transaction } from "@/db";
import { onChargeUpdated } from "./on-charge-updated";
import { onCheckoutSessionAsyncPaymentSucceeded, onCheckoutSessionCompleted } from "./on-checkout-session-completed";
import { onDispute } from "./on-dispute";
import { onInvoiceClosedUnpaid, onInvoicePaid, onInvoicePaymentFailed } from "./on-invoice";
import { onRefund } from "./on-refund";
import { onSubscriptionChanged } from "./on-subscription-changed";

/** Writes an event causes, run in the transaction that marks the event processed. */
export type ApplyEffects = (tx: Transaction) => Promise<void>;
export type HandlerDeps = { stripe: Stripe };

/**
 * A handler reads what it needs (re-fetching current state from Stripe, since the event's snapshot
 * may be stale) and returns the writes to make, or null when the event changes nothing for us.
 */
export type EventHandler<E extends Stripe.Event> = (event: E, deps: HandlerDeps) => Promise<ApplyEffects | null>;

type HandlerTable = { [K in Stripe.Event.Type]?: EventHandler<Extract<Stripe.Event, { type: K }>> };

/** One handler per event type. Types not listed are stored as `ignored` and answered 2xx. */
const handlers = {
  "checkout.session.completed": onCheckoutSessionCompleted,
  "checkout.session.async_payment_succeeded": onCheckoutSessionAsyncPaymentSucceeded,
  "charge.updated": onChargeUpdated,
  "customer.subscription.created": onSubscriptionChanged,
  "customer.subscription.updated": onSubscriptionChanged,
  "customer.subscription.deleted": onSubscriptionChanged,
  "customer.subscription.paused": onSubscriptionChanged,
  "customer.subscription.resumed": onSubscriptionChanged,
  "invoice.paid": onInvoicePaid,
  "invoice.payment_failed": onInvoicePaymentFailed,
  "invoice.payment_action_required": onInvoicePaymentFailed,
  "invoice.marked_uncollectible": onInvoiceClosedUnpaid,
  "invoice.voided": onInvoiceClosedUnpaid,
  "charge.refunded": onRefund,
  "charge.refund.updated": onRefund,
  "refund.created": onRefund,
  "refund.updated": onRefund,
  "refund.failed": onRefund,
  "charge.dispute.created": onDispute,
  "charge.dispute.updated": onDispute,
  "charge.dispute.closed": onDispute,
  "charge.dispute.funds_withdrawn": onDispute,
  "charge.dispute.funds_reinstated": onDispute,
} satisfies HandlerTable;

export type HandledEventType = keyof typeof handlers;
export const HANDLED_EVENT_TYPES = Object.keys(handlers) as HandledEventType[];

export function isHandledEventType(type: string): type is HandledEventType {
  return Object.hasOwn(handlers, type);
}

export function handlerFor(type: string): EventHandler<Stripe.Event> | null {
  // The table is keyed by type, so the handler found matches the event's type; TypeScript cannot
  // correlate the two through the lookup, hence the widening.
  return isHandledEventType(type) ? (handlers[type] as EventHandler<Stripe.Event>) : null;
}
