import type Stripe from "stripe";
import { deliver, eventsAfter, lastEventId, payCheckout, sandboxStripe } from "./stripe";

export const GIFT_PRODUCTS = { month: "readerfund_gift_monthly", year: "readerfund_gift_annual" } as const;
const RETURN_URLS = {
  success_url: "http://localhost:3000/donate/thank-you?session_id={CHECKOUT_SESSION_ID}",
  cancel_url: "http://localhost:3000/donate",
};

/** The fixed products recurring gifts are priced on, as the app creates them (once per stand-in). */
export async function ensureGiftProducts(): Promise<void> {
  const stripe = sandboxStripe();
  for (const [interval, id] of Object.entries(GIFT_PRODUCTS)) {
    try {
      await stripe.products.create({ id, name: interval === "month" ? "Monthly gift" : "Annual gift" });
    } catch (error) {
      if (!(error instanceof Error && "code" in error && error.code === "resource_already_exists")) throw error;
    }
  }
}

/**
 * A one-time gift paid through the stand-in, with the Checkout parameters the app sends; returns the
 * session and the events the payment produced.
 */
export async function giveOnce(
  options: { amount?: number; currency?: string; email?: string; card?: string; metadata?: Record<string, string> } = {},
): Promise<{ session: Stripe.Checkout.Session; events: Stripe.Event[] }> {
  const stripe = sandboxStripe();
  const metadata = { kind: "readerfund_gift", frequency: "once", locale: "en", attempt_id: crypto.randomUUID(), ...options.metadata };
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    submit_type: "donate",
    customer_creation: "always",
    line_items: [{ quantity: 1, price_data: { currency: options.currency ?? "eur", unit_amount: options.amount ?? 2500, product_data: { name: "Gift" } } }],
    metadata,
    payment_intent_data: { metadata },
    ...RETURN_URLS,
  });
  const marker = await lastEventId();
  await payCheckout(session.id, { email: options.email ?? "Reader@Example.org", card: options.card });

  return { session, events: await eventsAfter(marker) };
}

/**
 * A monthly or annual gift started through the stand-in's Checkout as the app starts one (products
 * from ensureGiftProducts). Returns the marker to collect its events from, the completed session and
 * the subscription.
 */
export async function startRecurringGift(
  options: { interval?: "month" | "year"; amount?: number; currency?: string; card?: string; email?: string; metadata?: Record<string, string> } = {},
): Promise<{ marker: string | undefined; session: Stripe.Checkout.Session; subscriptionId: string }> {
  const stripe = sandboxStripe();
  const interval = options.interval ?? "month";
  const metadata = {
    kind: "readerfund_gift",
    frequency: interval === "month" ? "monthly" : "annual",
    locale: "en",
    attempt_id: crypto.randomUUID(),
    ...options.metadata,
  };
  const marker = await lastEventId();
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    line_items: [
      {
        quantity: 1,
        price_data: { currency: options.currency ?? "eur", unit_amount: options.amount ?? 1000, product: GIFT_PRODUCTS[interval], recurring: { interval } },
      },
    ],
    metadata,
    subscription_data: { metadata },
    ...RETURN_URLS,
  });
  const paid = await payCheckout(session.id, { email: options.email ?? "monthly@example.org", card: options.card });
  if (paid.outcome !== "succeeded") throw new Error(`recurring gift not paid: ${paid.outcome}`);
  const completed = await stripe.checkout.sessions.retrieve(session.id);
  const subscription = completed.subscription;
  if (!subscription) throw new Error(`session ${session.id} has no subscription`);

  return { marker, session: completed, subscriptionId: typeof subscription === "string" ? subscription : subscription.id };
}

/** A one-time gift paid (giveOnce), with its checkout.session.completed stored in the inbox but not yet applied. */
export async function storedGift(options: Parameters<typeof giveOnce>[0] = {}) {
  const { session, events } = await giveOnce(options);
  const completed = events.find((e) => e.type === "checkout.session.completed")!;
  await deliver([completed]);

  return { session, completed };
}
