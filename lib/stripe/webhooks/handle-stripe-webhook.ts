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

  let body: unknown;
  try {
    // The exact bytes Stripe signed: never a re-serialised body.
    body = getStripe().webhooks.constructEvent(raw, signature, env().stripe.webhookSecret);
  } catch (error) {
    const reason = error instanceof Stripe.errors.StripeSignatureVerificationError ? error.message : "Invalid payload";
    log.warn("webhook rejected", { reason });

    return json(400, { error: `Webhook signature verification failed: ${reason}` });
  }
  const checked = asStorableEvent(body);
  if ("problem" in checked) {
    log.warn("webhook rejected", { reason: checked.problem });

    return json(400, { error: `Not a Stripe event: ${checked.problem}` });
  }
  const { event } = checked;

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

// Stripe's event ids are `evt_` and letters and digits; event types are dotted lower-case words.
const EVENT_ID = /^evt_[A-Za-z0-9_]{1,250}$/;
const EVENT_TYPE = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+){1,5}$/;
const API_VERSION = /^[A-Za-z0-9._-]{1,64}$/;
// 9999-12-31: past any event Stripe sends, within what a JavaScript Date and PostgreSQL can hold.
const LATEST_CREATED = 253_402_300_799;

/**
 * The verified body as an event we can store, or why it cannot be one. A signature proves who sent
 * the body, not that it is an event: only someone holding our secret can send one of these, and
 * each would otherwise fail its insert (a NUL in a text column, a date past the timestamp's range)
 * with a 5xx that Stripe retries for three days. So they are refused here, whole, with a 400.
 */
function asStorableEvent(body: unknown): { event: Stripe.Event } | { problem: string } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { problem: "the body is not a JSON object" };
  const { id, type, created, api_version: apiVersion, data } = body as Record<string, unknown>;
  if (typeof id !== "string" || !EVENT_ID.test(id)) return { problem: "id must be an event id (evt_…)" };
  if (typeof type !== "string" || !EVENT_TYPE.test(type)) return { problem: "type must be an event type such as checkout.session.completed" };
  if (typeof created !== "number" || !Number.isSafeInteger(created) || created < 0 || created > LATEST_CREATED) {
    return { problem: "created must be a unix timestamp" };
  }
  if (apiVersion !== undefined && apiVersion !== null && (typeof apiVersion !== "string" || !API_VERSION.test(apiVersion))) {
    return { problem: "api_version must be an API version such as 2026-10-28.endive" };
  }
  // Objects can carry ids their owner chose (a coupon's "SUMMER-25"): refused only for what
  // its indexed text column cannot take.
  const objectId = (data as { object?: { id?: unknown } } | null | undefined)?.object?.id;
  if (typeof objectId === "string" && (objectId.length > 255 || objectId.includes("\u0000"))) {
    return { problem: "data.object.id must be at most 255 characters, without NUL" };
  }

  return { event: body as Stripe.Event };
}
