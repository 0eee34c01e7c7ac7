import { describeError, log } from "@/lib/log";
import { drainStripeEvents } from "./inbox";

type WorkerState = {
  /** A pass is running. */
  running: Promise<void> | null;
  /** Someone asked for work after the running pass had started: run once more. */
  again: boolean;
  /** Callers waiting for the next pass to finish. */
  waiters: Array<() => void>;
  /** Wakes the background loop, when one runs. */
  kick: (() => void) | null;
  loopStarted: boolean;
  stopped: boolean;
};

// One worker per process, shared by every Next bundle that imports this module. It holds no work
// of its own: everything it does is claimed from the database, so any instance can do it.
const globalKey = Symbol.for("readerfund.webhookWorker");
type GlobalWithWorker = typeof globalThis & { [globalKey]?: WorkerState };

function state(): WorkerState {
  const holder = globalThis as GlobalWithWorker;
  holder[globalKey] ??= { running: null, again: false, waiters: [], kick: null, loopStarted: false, stopped: false };

  return holder[globalKey];
}

// Stripe reads in flight per pass. Few on purpose: answering Stripe comes first, and applying
// events can trail by a moment.
const PROCESSING_LANES = 2;

async function pass(s: WorkerState): Promise<void> {
  do {
    s.again = false;
    const waiters = s.waiters;
    s.waiters = [];
    try {
      await drainStripeEvents({ concurrency: PROCESSING_LANES });
    } catch (error) {
      log.error("webhook worker pass failed", { error: describeError(error) });
    }
    for (const resolve of waiters) resolve();
  } while (s.again);
}

function runPass(s: WorkerState): Promise<void> {
  if (s.running) {
    s.again = true;

    return s.running;
  }
  s.running = pass(s).finally(() => {
    s.running = null;
  });

  return s.running;
}

/**
 * Asks for due events to be applied now, resolving when a pass that started after this call has
 * finished. With the background loop running (a server process), the work runs in that loop, not
 * in the request that woke it; calls during a pass coalesce into one more pass.
 */
export function wakeWebhookWorker(): Promise<void> {
  const s = state();
  const done = new Promise<void>((resolve) => s.waiters.push(resolve));
  if (s.kick) s.kick();
  else if (s.running) s.again = true;
  else void runPass(s);

  return done;
}

/** Whether this process runs the background loop (a long-lived server does; a serverless function does not). */
export function webhookWorkerRunning(): boolean {
  return state().loopStarted;
}

/**
 * Starts the process's background loop: a pass on every wake, and at least every `intervalMs`
 * for retries that fall due and events left behind by a crashed instance.
 */
export function startWebhookWorker(intervalMs: number): void {
  const s = state();
  if (s.loopStarted) return;
  s.loopStarted = true;
  s.stopped = false;
  void (async () => {
    while (!s.stopped) {
      await runPass(s);
      if (s.waiters.length > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = intervalMs > 0 ? setTimeout(resolve, intervalMs) : null;
        timer?.unref();
        s.kick = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
      });
      s.kick = null;
    }
  })();
}

export function stopWebhookWorker(): void {
  const s = state();
  s.stopped = true;
  s.loopStarted = false;
  s.kick?.();
}
