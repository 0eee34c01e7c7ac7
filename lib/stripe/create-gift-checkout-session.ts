import { createHash, randomUUID } from "node:crypto";
import { env } from "@/lib/env";
import { AppError, withDeadline } from "@/lib/errors";
import { isRecurring, STRIPE_INTERVAL } from "@/lib/gifts/recurrence";
import type { TGiftForm } from "@/lib/gifts/schemas";
import { log } from "@/lib/log";
import { minorToInput } from "@/lib/money";
import { getStripe, Stripe } from "./client";
import { ensureGiftProduct, forgetGiftProduct, giftProductFor } from "./gift-products";
import { toStripeMetadata } from "./metadata";

export type CreateGiftCheckoutSessionOptions = TGiftForm & {
  /** The reminder whose signed link brought the reader back (already verified). */
  reminderId?: string | null;
};

const EXPIRY_BUCKET_SECONDS = 600;

/**
 * The Checkout Session's parameters for a gift, computed from the form alone (and the time, to the
 * ten minutes), so a double click computes the very same ones. A one-time gift is a `payment`
 * session; a monthly or annual gift a `subscription` session whose price belongs to the fixed
 * product of its frequency, with our metadata also on the subscription (and so on every renewal
 * invoice). Stripe refuses `submit_type`, `customer_creation` and `payment_intent_data` there.
 */
export function giftCheckoutParams(
  options: CreateGiftCheckoutSessionOptions,
  context: { appUrl: string; newsroomName: string; nowSeconds: number; discreetStatementDescriptor: string },
): Stripe.Checkout.SessionCreateParams {
  const { appUrl, newsroomName } = context;
  const discreet = options.discreet ? { statementDescriptor: context.discreetStatementDescriptor } : null;
  // expires_at is a parameter, so it must not change between a click and its double: it is fixed
  // per ten-minute bucket (so also part of the idempotency key).
  const expiryBucket = Math.floor(context.nowSeconds / EXPIRY_BUCKET_SECONDS);
  const metadata = toStripeMetadata({ ...options, reminderId: options.reminderId ?? undefined });
  const cancelParams = new URLSearchParams({
    cancelled: "1",
    frequency: options.frequency,
    currency: options.currency,
    amount: minorToInput(options.amountMinor, options.currency),
    ...(options.feeCoveredMinor > 0 ? { cover: "1" } : {}),
    ...(options.discreet ? { discreet: "1" } : {}),
    ...(options.reminderId && options.reminder ? { reminder: options.reminder } : {}),
    ...(options.articleUrl ? { article: options.articleUrl } : {}),
    ...(options.campaign ? { campaign: options.campaign } : {}),
    ...(options.section ? { section: options.section } : {}),
    ...(options.variant ? { variant: options.variant } : {}),
    ...(options.locale !== "en" ? { lang: options.locale } : {}),
  });
  const common = {
    metadata,
    locale: options.locale,
    // Short-lived sessions limit what a card tester can do with one.
    expires_at: (expiryBucket + 1) * EXPIRY_BUCKET_SECONDS + 60 * 60,
    // The language the reader gave in: the thank-you page, frame and all, opens in it (proxy.ts).
    success_url: `${appUrl}/donate/thank-you?session_id={CHECKOUT_SESSION_ID}&lang=${options.locale}`,
    cancel_url: `${appUrl}/donate?${cancelParams.toString()}`,
  } satisfies Stripe.Checkout.SessionCreateParams;

  if (isRecurring(options.frequency)) {
    const product = giftProductFor(options.frequency, newsroomName, discreet);

    return {
      mode: "subscription",
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: options.currency,
            unit_amount: options.totalMinor,
            product: product.id,
            recurring: { interval: STRIPE_INTERVAL[options.frequency] },
          },
        },
      ],
      // Checkout always creates a Customer in subscription mode.
      subscription_data: { metadata, description: product.name },
      ...common,
    };
  }

  const oneTimeName = discreet ? "One-time payment" : `One-time gift to ${newsroomName}`;

  return {
    mode: "payment",
    submit_type: "donate",
    // Every giver gets a Customer, so self-service and receipts work for one-time gifts too.
    customer_creation: "always",
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: options.currency,
          unit_amount: options.totalMinor,
          product_data: { name: oneTimeName },
        },
      },
    ],
    payment_intent_data: {
      metadata,
      description: oneTimeName,
      // Stripe lets a card payment set only the end of its descriptor; the start is the account's
      // shortened descriptor (see README: discreet giving).
      ...(discreet ? { statement_descriptor_suffix: discreet.statementDescriptor } : {}),
    },
    ...common,
  };
}

/**
 * Our idempotency key: the form's attempt id and a digest of every parameter. A double click sends
 * the same parameters and gets the same session; anything changed (amount, currency, once vs
 * monthly: mode, price and metadata all differ) is another key, so never Stripe's
 * `idempotency_error` for reusing a key with other parameters.
 */
export function giftCheckoutIdempotencyKey(attemptId: string, params: Stripe.Checkout.SessionCreateParams): string {
  const fingerprint = createHash("sha256").update(JSON.stringify(params)).digest("hex").slice(0, 32);

  return `gift-checkout:${attemptId}:${fingerprint}`;
}

/** How long a reader is asked to wait before trying again while Stripe is slow or away. */
const STRIPE_RETRY_AFTER_SECONDS = 5;

/**
 * Creates the Stripe Checkout Session for a gift (once, monthly or annual) and returns its URL. A
 * double click (or a retry after a timeout) gets the same session back, while a changed amount or
 * frequency gets a new one. Answers within STRIPE_CHECKOUT_DEADLINE_MS whatever Stripe does: past
 * it, or with Stripe away, failing or rate limiting, a STRIPE_UNAVAILABLE with Retry-After.
 */
export async function createGiftCheckoutSession(options: CreateGiftCheckoutSessionOptions): Promise<{ url: string; sessionId: string }> {
  const deadlineMs = env().stripe.checkoutDeadlineMs;

  return withDeadline(createSession(options), deadlineMs, () => {
    log.warn("stripe too slow creating checkout session", { deadlineMs });

    // The request may still reach Stripe: the reader's retry carries the same idempotency key
    // (the same attempt within the same ten minutes), so it gets that session, not a second one.
    return new AppError("STRIPE_UNAVAILABLE", "Our payment provider is slow to answer just now. Nothing was charged; please try again in a few seconds.", {
      retryAfterSeconds: STRIPE_RETRY_AFTER_SECONDS,
    });
  });
}

async function createSession(options: CreateGiftCheckoutSessionOptions): Promise<{ url: string; sessionId: string }> {
  const { appUrl, newsroomName, discreetStatementDescriptor } = env();
  const params = giftCheckoutParams(options, { appUrl, newsroomName, discreetStatementDescriptor, nowSeconds: Math.floor(Date.now() / 1000) });
  const idempotencyKey = giftCheckoutIdempotencyKey(options.attemptId, params);
  const stripe = getStripe();
  const fixedProduct = isRecurring(options.frequency)
    ? giftProductFor(options.frequency, newsroomName, options.discreet ? { statementDescriptor: discreetStatementDescriptor } : null)
    : null;
  try {
    if (fixedProduct) await ensureGiftProduct(stripe, fixedProduct);
    let session = await stripe.checkout.sessions.create(params, { idempotencyKey });
    if (session.lastResponse.headers["idempotent-replayed"] === "true") {
      // A replay repeats the session as it was created. If it has since been paid or has expired
      // (the reader came back to the same form and gives again), this is a new gift.
      const current = await stripe.checkout.sessions.retrieve(session.id);
      if (current.status !== "open" || !current.url) {
        session = await stripe.checkout.sessions.create(params, { idempotencyKey: `gift-checkout:${randomUUID()}` });
      }
    }
    if (!session.url) throw new AppError("STRIPE_REFUSED", "Stripe returned a Checkout Session without a URL.");
    log.info("checkout session created", {
      session: session.id,
      mode: params.mode,
      frequency: options.frequency,
      currency: options.currency,
      amountMinor: options.totalMinor,
    });

    return { url: session.url, sessionId: session.id };
  } catch (error) {
    if (error instanceof AppError) throw error;
    // Worth trying again in a moment: Stripe unreachable, failing, rate limiting us, or still busy
    // with this very request (a retry that overtook its first try).
    const unreachable =
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError ||
      error instanceof Stripe.errors.StripeRateLimitError ||
      (error instanceof Stripe.errors.StripeIdempotencyError && error.statusCode === 409);
    if (!unreachable && error instanceof Stripe.errors.StripeError) {
      // Our product archived or removed behind our back: look again next time rather than trust the memo.
      if (fixedProduct && error.param?.includes("[product]")) forgetGiftProduct(fixedProduct.id);
      log.error("stripe refused checkout session", { type: error.type, code: error.code, param: error.param, requestId: error.requestId });
      throw new AppError("STRIPE_REFUSED", "Our payment provider refused this request. Nothing was charged; please try again later.", {
        cause: error,
      });
    }
    log.error("stripe unavailable creating checkout session", { error });
    throw new AppError("STRIPE_UNAVAILABLE", "We could not reach our payment provider. Nothing was charged; please try again.", {
      cause: error,
      retryAfterSeconds: STRIPE_RETRY_AFTER_SECONDS,
    });
  }
}
