import { env } from "@/lib/env";
import { readBodyText } from "@/lib/http";
import { log } from "@/lib/log";
import { getStripe, Stripe } from "../client";
import { storeStripeEvent } from "./inbox";
import { wakeWebhookWorker, webhookWorkerRunning } from "./worker";

// Stripe's largest events are a few hundred kilobytes; anything far beyond is not from Stripe.
const MAX_BODY_BYTES = 2_000_000;

export type HandleStripeWebhookOptions = {
  /**
   * Runs work after the response is sent (Next's `after`), when no background loop runs in this
   * process; the event is already stored by then.
   */
  afterResponse: (task: () => Promise<void>) => void;
};

const json = (status: number, body: unknown) => Response.json(body, { status });

/**
 * POST /api/stripe/webhook. Verifies the signature on the raw body, stores the event once in the
 * inbox (keyed by its id) and answers 2xx; effects are applied by the webhook worker after the
 * response, so a slow Stripe API or mail server never delays the answer. A bad signature is a 400
 * with nothing written; a database failure is a 500, so Stripe retries.
 */
export async function handleStripeWebhook(request: Request, options: HandleStripeWebhookOptions): Promise<Response> {
  const signature = request.headers.get("stripe-signature");
  if (!signature) return json(400, { error: "Missing Stripe-Signature header" });

  const raw = await readBodyText(request, MAX_BODY_BYTES);
  if (raw === null) return json(413, { error: "Payload too large" });

  let event: Stripe.Event;
  try {
    // The exact bytes Stripe signed: never a re-serialised body.
    event = getStripe().webhooks.constructEvent(raw, signature, env().stripe.webhookSecret);
  } catch (error) {
    const reason = error instanceof Stripe.errors.StripeSignatureVerificationError ? error.message : "Invalid payload";
    log.warn("webhook rejected", { reason });

    return json(400, { error: `Webhook signature verification failed: ${reason}` });
  }
  if (typeof event.id !== "string" || !event.id.startsWith("evt_") || typeof event.type !== "string") {
    return json(400, { error: "Not a Stripe event" });
  }

  let stored: Awaited<ReturnType<typeof storeStripeEvent>>;
  try {
    stored = await storeStripeEvent(event, raw);
  } catch (error) {
    log.error("webhook could not be stored", { event: event.id, type: event.type, error });

    return json(500, { error: "Could not store the event; Stripe will retry" });
  }

  if (stored === "stored") {
    // A long-lived server's own loop applies the event; the kick is enough. Elsewhere the work
    // must be tied to this request's lifetime, after the response is sent.
    if (webhookWorkerRunning()) void wakeWebhookWorker();
    else options.afterResponse(() => wakeWebhookWorker());
  }
  log.debug("webhook received", { event: event.id, type: event.type, outcome: stored });

  return json(200, { received: true, duplicate: stored === "duplicate" });
}
