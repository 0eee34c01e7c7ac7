import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { killPoint } from "@/lib/kill-point";
import { log } from "@/lib/log";
import { getStripe, Stripe } from "../client";
import { type StoreOutcome, storeStripeEvent } from "./inbox-store";
import { wakeWebhookWorker, webhookWorkerRunning } from "./worker";

/** What Stripe sent: the body exactly as it arrived (never re-serialised) and its Stripe-Signature header. */
export type StripeDelivery = { rawBody: string; signature: string | null };

export type ReceiveOptions = {
  /**
   * Runs work after the answer is sent (Next's `after`), when no background loop runs in this
   * process; the event is already stored by then.
   */
  afterStore: (task: () => Promise<void>) => void;
};

/**
 * A webhook delivery: verifies the signature on the raw body, stores the event once in the inbox
 * (keyed by its id) and says what became of it; effects are applied by the webhook worker later,
 * so a slow Stripe API or mail server never delays the answer. A missing or bad signature, or a
 * signed body that is not an event we can store, is a BAD_REQUEST with nothing written; a failure to
 * store is thrown as it is, for a 5xx Stripe retries.
 */
export async function receiveStripeEvent(delivery: StripeDelivery, options: ReceiveOptions): Promise<StoreOutcome> {
  if (!delivery.signature) throw new AppError("BAD_REQUEST", "Missing Stripe-Signature header.");
  let body: unknown;
  try {
    body = getStripe().webhooks.constructEvent(delivery.rawBody, delivery.signature, env().stripe.webhookSecret);
  } catch (error) {
    const reason = error instanceof Stripe.errors.StripeSignatureVerificationError ? error.message : "Invalid payload";
    log.warn("webhook rejected", { reason });
    throw new AppError("BAD_REQUEST", `Webhook signature verification failed: ${reason}`);
  }
  const checked = asStorableEvent(body);
  if ("problem" in checked) {
    log.warn("webhook rejected", { reason: checked.problem });
    throw new AppError("BAD_REQUEST", `Not a Stripe event: ${checked.problem}`);
  }
  const { event } = checked;
  const outcome = await storeStripeEvent(event, delivery.rawBody).catch((error: unknown) => {
    log.error("webhook could not be stored", { event: event.id, type: event.type, error });
    throw error;
  });
  if (outcome === "stored") {
    killPoint("webhook-stored");
    // A long-lived server's own loop applies the event; the kick is enough. Elsewhere the work
    // must be tied to this request's lifetime, after the answer is sent.
    if (webhookWorkerRunning()) void wakeWebhookWorker();
    else options.afterStore(() => wakeWebhookWorker());
  }
  log.debug("webhook received", { event: event.id, type: event.type, outcome });

  return outcome;
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
