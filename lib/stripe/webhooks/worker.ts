import { wakeEmailSender } from "@/lib/email/sender";
import { workerLoop } from "@/lib/workers/loop";
import { drainStripeEvents } from "./inbox";

// Stripe reads in flight per pass. Few on purpose: answering Stripe comes first, and applying
// events can trail by a moment.
const PROCESSING_LANES = 2;

const loop = workerLoop("stripe-webhooks", async () => {
  const { processed } = await drainStripeEvents({ concurrency: PROCESSING_LANES });
  // Applied events may have queued emails (receipts, failed payments) in their transactions.
  if (processed > 0) void wakeEmailSender();
});

/** Asks for due events to be applied now (see WorkerLoop.wake). */
export const wakeWebhookWorker = loop.wake;
/** Whether this process runs the webhook worker's background loop. */
export const webhookWorkerRunning = loop.running;
/** Starts the loop: on every stored event, and every `intervalMs` for retries and crashed instances' events. */
export const startWebhookWorker = loop.start;
export const stopWebhookWorker = loop.stop;
