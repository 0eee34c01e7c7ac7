import { createHash, randomUUID } from "node:crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { TGiftForm } from "@/lib/gifts/schemas";
import { log } from "@/lib/log";
import { minorToInput } from "@/lib/money";
import { getStripe, Stripe } from "./client";
import { toStripeMetadata } from "./metadata";

export type CreateGiftCheckoutSessionOptions = TGiftForm;

const EXPIRY_BUCKET_SECONDS = 600;

/**
 * Creates the Stripe Checkout Session for a one-time gift and returns its URL. Our idempotency key
 * is derived from the form's attempt id and every parameter, so a double click (or a retry after a
 * timeout) gets the same session back, while a changed amount gets a new one.
 */
export async function createGiftCheckoutSession(options: CreateGiftCheckoutSessionOptions): Promise<{ url: string; sessionId: string }> {
  const { appUrl, newsroomName } = env();
  // expires_at is a parameter, so it must not change between a click and its double: it is fixed
  // per ten-minute bucket, and the bucket is part of the idempotency key.
  const expiryBucket = Math.floor(Date.now() / 1000 / EXPIRY_BUCKET_SECONDS);
  const metadata = toStripeMetadata(options);
  const cancelParams = new URLSearchParams({
    cancelled: "1",
    frequency: options.frequency,
    currency: options.currency,
    amount: minorToInput(options.amountMinor, options.currency),
    ...(options.articleUrl ? { article: options.articleUrl } : {}),
    ...(options.campaign ? { campaign: options.campaign } : {}),
    ...(options.section ? { section: options.section } : {}),
    ...(options.variant ? { variant: options.variant } : {}),
    ...(options.locale !== "en" ? { lang: options.locale } : {}),
  });
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: "payment",
    submit_type: "donate",
    // Every giver gets a Customer, so self-service and receipts work for one-time gifts too.
    customer_creation: "always",
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: options.currency,
          unit_amount: options.amountMinor,
          product_data: { name: `One-time gift to ${newsroomName}` },
        },
      },
    ],
    metadata,
    payment_intent_data: { metadata, description: `One-time gift to ${newsroomName}` },
    locale: options.locale,
    // Short-lived sessions limit what a card tester can do with one.
    expires_at: (expiryBucket + 1) * EXPIRY_BUCKET_SECONDS + 60 * 60,
    success_url: `${appUrl}/donate/thank-you?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${appUrl}/donate?${cancelParams.toString()}`,
  };

  const fingerprint = createHash("sha256").update(JSON.stringify(params)).digest("hex").slice(0, 32);
  const stripe = getStripe();
  try {
    let session = await stripe.checkout.sessions.create(params, { idempotencyKey: `gift-checkout:${options.attemptId}:${fingerprint}` });
    if (session.lastResponse.headers["idempotent-replayed"] === "true") {
      // A replay repeats the session as it was created. If it has since been paid or has expired
      // (the reader came back to the same form and gives again), this is a new gift.
      const current = await stripe.checkout.sessions.retrieve(session.id);
      if (current.status !== "open" || !current.url) {
        session = await stripe.checkout.sessions.create(params, { idempotencyKey: `gift-checkout:${randomUUID()}` });
      }
    }
    if (!session.url) throw new AppError("STRIPE_UNAVAILABLE", "Stripe returned a Checkout Session without a URL.");
    log.info("checkout session created", { session: session.id, currency: options.currency, amountMinor: options.amountMinor });

    return { url: session.url, sessionId: session.id };
  } catch (error) {
    if (error instanceof AppError) throw error;
    const unreachable =
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError ||
      error instanceof Stripe.errors.StripeRateLimitError;
    if (!unreachable && error instanceof Stripe.errors.StripeError) {
      log.error("stripe refused checkout session", { type: error.type, code: error.code, param: error.param, requestId: error.requestId });
      throw new AppError("STRIPE_UNAVAILABLE", "Our payment provider refused this request. Nothing was charged; please try again later.", {
        cause: error,
      });
    }
    log.error("stripe unavailable creating checkout session", { error });
    throw new AppError("STRIPE_UNAVAILABLE", "We could not reach our payment provider. Nothing was charged; please try again.", {
      cause: error,
    });
  }
}
