import { describeError, log } from "@/lib/log";
import { drainStripeEvents } from "./inbox";

type WorkerState = { running: Promise<void> | null; again: boolean; timer: NodeJS.Timeout | null };

// One worker per process, shared by every Next bundle that imports this module. It holds no
// work of its own: everything it does is claimed from the database, so any instance can do it.
const globalKey = Symbol.for("readerfund.webhookWorker");
type GlobalWithWorker = typeof globalThis & { [globalKey]?: WorkerState };

function state(): WorkerState {
  const holder = globalThis as GlobalWithWorker;
  holder[globalKey] ??= { running: null, again: false, timer: null };

  return holder[globalKey];
}

/**
 * Asks the worker to drain due events now. Calls while a drain runs coalesce into one more pass,
 * so a burst of webhooks costs one loop, not one per request.
 */
export function wakeWebhookWorker(): Promise<void> {
  const s = state();
  if (s.running) {
    s.again = true;

    return s.running;
  }
  s.running = (async () => {
    try {
      do {
        s.again = false;
        await drainStripeEvents();
      } while (s.again);
    } catch (error) {
      log.error("webhook worker pass failed", { error: describeError(error) });
    } finally {
      s.running = null;
    }
  })();

  return s.running;
}

/** Polls for due events (retries, and events left by a crashed instance). */
export function startWebhookPoller(intervalMs: number): void {
  const s = state();
  if (s.timer || intervalMs <= 0) return;
  s.timer = setInterval(() => void wakeWebhookWorker(), intervalMs);
  s.timer.unref();
  void wakeWebhookWorker();
}

export function stopWebhookPoller(): void {
  const s = state();
  if (s.timer) clearInterval(s.timer);
  s.timer = null;
}
