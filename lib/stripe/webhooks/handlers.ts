import type Stripe from "stripe";
import type { EventHandler } from "./event-handler";
import { onChargeUpdated } from "./on-charge-updated";
import { onCheckoutSessionAsyncPaymentSucceeded, onCheckoutSessionCompleted } from "./on-checkout-session-completed";
import { onDispute } from "./on-dispute";
import { onInvoiceClosedUnpaid, onInvoicePaid, onInvoicePaymentFailed } from "./on-invoice";
import { onPayout } from "./on-payout";
import { onRefund } from "./on-refund";
import { onSubscriptionChanged } from "./on-subscription-changed";

/**
 * Where an event's effects fall among those of events Stripe created in the same second: facts
 * first (gifts, payments, recurring gifts), then what refers to a payment (its fee), then what
 * reverses one (refunds, disputes), then payouts, which carry all of these, so a batch rarely has
 * to wait for itself.
 */
const RANK = { FACT: 0, FEE: 1, REVERSAL: 2, PAYOUT: 3 } as const;

type Entry<K extends Stripe.Event.Type> = { handle: EventHandler<Extract<Stripe.Event, { type: K }>>; rank: (typeof RANK)[keyof typeof RANK] };
type HandlerTable = { [K in Stripe.Event.Type]?: Entry<K> };

const fact = <E extends Stripe.Event>(handle: EventHandler<E>) => ({ handle, rank: RANK.FACT });

/** One handler per event type, with its rank. Types not listed are stored as `ignored` and answered 2xx. */
const handlers = {
  "checkout.session.completed": fact(onCheckoutSessionCompleted),
  "checkout.session.async_payment_succeeded": fact(onCheckoutSessionAsyncPaymentSucceeded),
  "charge.updated": { handle: onChargeUpdated, rank: RANK.FEE },
  "customer.subscription.created": fact(onSubscriptionChanged),
  "customer.subscription.updated": fact(onSubscriptionChanged),
  "customer.subscription.deleted": fact(onSubscriptionChanged),
  "customer.subscription.paused": fact(onSubscriptionChanged),
  "customer.subscription.resumed": fact(onSubscriptionChanged),
  "invoice.paid": fact(onInvoicePaid),
  "invoice.payment_failed": fact(onInvoicePaymentFailed),
  "invoice.payment_action_required": fact(onInvoicePaymentFailed),
  "invoice.marked_uncollectible": fact(onInvoiceClosedUnpaid),
  "invoice.voided": fact(onInvoiceClosedUnpaid),
  "charge.refunded": { handle: onRefund, rank: RANK.REVERSAL },
  "charge.refund.updated": { handle: onRefund, rank: RANK.REVERSAL },
  "refund.created": { handle: onRefund, rank: RANK.REVERSAL },
  "refund.updated": { handle: onRefund, rank: RANK.REVERSAL },
  "refund.failed": { handle: onRefund, rank: RANK.REVERSAL },
  "charge.dispute.created": { handle: onDispute, rank: RANK.REVERSAL },
  "charge.dispute.updated": { handle: onDispute, rank: RANK.REVERSAL },
  "charge.dispute.closed": { handle: onDispute, rank: RANK.REVERSAL },
  "charge.dispute.funds_withdrawn": { handle: onDispute, rank: RANK.REVERSAL },
  "charge.dispute.funds_reinstated": { handle: onDispute, rank: RANK.REVERSAL },
  "payout.created": { handle: onPayout, rank: RANK.PAYOUT },
  "payout.updated": { handle: onPayout, rank: RANK.PAYOUT },
  "payout.paid": { handle: onPayout, rank: RANK.PAYOUT },
  "payout.failed": { handle: onPayout, rank: RANK.PAYOUT },
  "payout.canceled": { handle: onPayout, rank: RANK.PAYOUT },
  "payout.reconciliation_completed": { handle: onPayout, rank: RANK.PAYOUT },
} satisfies HandlerTable;

export type HandledEventType = keyof typeof handlers;
export const HANDLED_EVENT_TYPES = Object.keys(handlers) as HandledEventType[];

export function isHandledEventType(type: string): type is HandledEventType {
  return Object.hasOwn(handlers, type);
}

export function handlerFor(type: string): EventHandler<Stripe.Event> | null {
  // The table is keyed by type, so the handler found matches the event's type; TypeScript cannot
  // correlate the two through the lookup, hence the widening.
  return isHandledEventType(type) ? (handlers[type].handle as EventHandler<Stripe.Event>) : null;
}

/** The event type's rank among events of the same second (facts first); 0 for types we do not handle. */
export function applyRankOf(type: string): number {
  return isHandledEventType(type) ? handlers[type].rank : RANK.FACT;
}
