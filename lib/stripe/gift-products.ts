import type { RecurringFrequency } from "@/lib/gifts/recurrence";
import { log } from "@/lib/log";
import { Stripe } from "./client";

/**
 * Every recurring gift's price belongs to one fixed Stripe Product per frequency, under an id we
 * choose. A subscription's amount can later be changed only with `subscriptions.update(price_data)`,
 * which needs a `product` id (it takes no `product_data`): these are those ids.
 */
export const GIFT_PRODUCT_IDS: Record<RecurringFrequency, string> = {
  monthly: "readerfund_gift_monthly",
  annual: "readerfund_gift_annual",
};

/**
 * A discreet gift's product names no newsroom: its name shows on Checkout, in Stripe's portal and
 * on any receipt Stripe sends, and its statement descriptor is what the card statement shows for
 * every payment of the subscription.
 */
export const DISCREET_GIFT_PRODUCT_IDS: Record<RecurringFrequency, string> = {
  monthly: "readerfund_gift_monthly_discreet",
  annual: "readerfund_gift_annual_discreet",
};

export function giftProductFor(
  frequency: RecurringFrequency,
  newsroomName: string,
  discreet: { statementDescriptor: string } | null = null,
): Stripe.ProductCreateParams & { id: string } {
  if (discreet) {
    return {
      id: DISCREET_GIFT_PRODUCT_IDS[frequency],
      name: frequency === "monthly" ? "Monthly subscription" : "Annual subscription",
      statement_descriptor: discreet.statementDescriptor,
      metadata: { kind: "readerfund_gift_product", frequency, discreet: "1" },
    };
  }

  return {
    id: GIFT_PRODUCT_IDS[frequency],
    name: `${frequency === "monthly" ? "Monthly" : "Annual"} gift to ${newsroomName}`,
    metadata: { kind: "readerfund_gift_product", frequency },
  };
}

// Product ids known to exist (and be active, with our name) in this process's Stripe account. Only
// ever a shortcut: forgetting it costs one retrieve, and a stale entry is forgotten on the first
// Checkout error that names the product (forgetGiftProduct).
const ensured = new Map<string, Promise<void>>();

const isStripeError = (error: unknown, status: number, code: string) =>
  error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === status && error.code === code;

/**
 * Makes sure the product exists: retrieves it, and creates it with our id if it is missing. Safe
 * when several app instances start at once: the second create is refused with 400
 * `resource_already_exists`, and the product is then read again. An archived product, or one whose
 * name is out of date (the newsroom was renamed), is brought back to what we would create.
 * Concurrent calls in one process share one round trip.
 */
export async function ensureGiftProduct(stripe: Stripe, wanted: Stripe.ProductCreateParams & { id: string }): Promise<void> {
  const key = wanted.id;
  let pending = ensured.get(key);
  if (!pending) {
    pending = ensureProductUncached(stripe, wanted);
    ensured.set(key, pending);
    pending.catch(() => ensured.delete(key));
  }

  return pending;
}

export function forgetGiftProduct(productId: string): void {
  ensured.delete(productId);
}

/** The same without the per-process shortcut (for tests that play two app instances). */
export async function ensureProductUncached(stripe: Stripe, wanted: Stripe.ProductCreateParams & { id: string }): Promise<void> {
  let product = await retrieveOrNull(stripe, wanted.id);
  if (!product) {
    try {
      await stripe.products.create(wanted);
      log.info("stripe product created", { product: wanted.id });

      return;
    } catch (error) {
      // Another instance created it between our retrieve and our create.
      if (!isStripeError(error, 400, "resource_already_exists")) throw error;
      product = await retrieveOrNull(stripe, wanted.id);
      if (!product) throw error;
    }
  }
  // A discreet product's descriptor is what every payment of its subscriptions shows: it follows
  // DISCREET_STATEMENT_DESCRIPTOR, and an edit in the Dashboard is put back the next time a process
  // checks the product (on its first discreet gift after starting).
  const descriptor = wanted.statement_descriptor;
  if (!product.active || product.name !== wanted.name || (descriptor !== undefined && product.statement_descriptor !== descriptor)) {
    log.warn("stripe product brought up to date", { product: wanted.id, wasActive: product.active });
    await stripe.products.update(wanted.id, { active: true, name: wanted.name, ...(descriptor !== undefined ? { statement_descriptor: descriptor } : {}) });
  }
}

async function retrieveOrNull(stripe: Stripe, id: string): Promise<Stripe.Product | null> {
  try {
    return await stripe.products.retrieve(id);
  } catch (error) {
    if (isStripeError(error, 404, "resource_missing")) return null;
    throw error;
  }
}
