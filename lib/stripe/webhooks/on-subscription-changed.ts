import type Stripe from "stripe";
import { upsertRecurringGift } from "@/lib/recurring/record";
import { readSubscriptionFacts } from "@/lib/recurring/subscription-facts";
import { readGiftMetadata } from "@/lib/stripe/metadata";
import type { EventHandler } from "./event-handler";

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
  // Our metadata is set when the subscription is created, so the snapshot tells whose it is without
  // a read: another integration's subscriptions cost us no API call.
  if (!readGiftMetadata(event.data.object.metadata).isOurs) return null;
  const facts = await readSubscriptionFacts(stripe, event.data.object.id, { knownOurs: true });
  if (facts === null) return null;

  return async (tx) => {
    await upsertRecurringGift(tx, facts);
  };
};
