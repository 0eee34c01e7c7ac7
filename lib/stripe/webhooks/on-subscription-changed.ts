import type Stripe from "stripe";
import { upsertRecurringGift } from "@/lib/recurring/record";
import { readSubscriptionFacts } from "@/lib/recurring/subscription-facts";
import type { EventHandler } from "./handlers";

type SubscriptionEvent =
  | Stripe.CustomerSubscriptionCreatedEvent
  | Stripe.CustomerSubscriptionUpdatedEvent
  | Stripe.CustomerSubscriptionDeletedEvent
  | Stripe.CustomerSubscriptionPausedEvent
  | Stripe.CustomerSubscriptionResumedEvent;

/**
 * customer.subscription.*: a recurring gift started, changed, paused, resumed or ended. The event's
 * snapshot may be older than another we have applied, so we re-read the subscription and write
 * Stripe's current state; the event only tells us which subscription to look at.
 */
export const onSubscriptionChanged: EventHandler<SubscriptionEvent> = async (event, { stripe }) => {
  const facts = await readSubscriptionFacts(stripe, event.data.object.id);
  if (facts === null) return null;

  return async (tx) => {
    await upsertRecurringGift(tx, facts);
  };
};
