import { emailSenderRunning, wakeEmailSender } from "@/lib/email/sender";
import { workerLoop } from "@/lib/workers/loop";
import { drainStripeEvents } from "./apply-events";
import { eventsAwaitingRelease } from "./inbox-leases";

// Stripe reads in flight per pass. Few on purpose: answering Stripe comes first, and applying
// events can trail by a moment.
const PROCESSING_LANES = 2;
// Claims an outage kept us from releasing are tried this often, even with polling off, so they come
// back seconds after the database does (not when their lease runs out).
const RELEASE_RETRY_MS = 2000;

const loop = workerLoop("stripe-webhooks", async () => {
  const { processed } = await drainStripeEvents({ concurrency: PROCESSING_LANES });
  // Applied events may have queued emails (receipts, failed payments) in their transactions. Where no
  // sender loop runs in this process (serverless), this pass is the request's after-work: it waits,
  // so the function is not frozen in the middle of a send.
  if (processed > 0) {
    if (emailSenderRunning()) void wakeEmailSender();
    else await wakeEmailSender();
  }
}, { retryWithinMs: () => (eventsAwaitingRelease() > 0 ? RELEASE_RETRY_MS : null) });

/** Asks for due events to be applied now (see WorkerLoop.wake). */
export const wakeWebhookWorker = loop.wake;
/** Whether this process runs the webhook worker's background loop. */
export const webhookWorkerRunning = loop.running;
/** Starts the loop: on every stored event, and every `intervalMs` for retries and crashed instances' events. */
export const startWebhookWorker = loop.start;
export const stopWebhookWorker = loop.stop;
