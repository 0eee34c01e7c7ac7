import { describeError, log } from "@/lib/log";

type LoopState = {
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

export type WorkerLoop = {
  /**
   * Asks for work now, resolving when a pass that started after this call has finished. With the
   * background loop running (a server process), the work runs in that loop, not in the caller;
   * calls during a pass coalesce into one more pass.
   */
  wake: () => Promise<void>;
  /** Whether this process runs the background loop (a long-lived server does; a serverless function does not). */
  running: () => boolean;
  /** Starts the background loop: a pass on every wake, and at least every `intervalMs` (0: only when woken). */
  start: (intervalMs: number) => void;
  stop: () => void;
};

export type WorkerLoopOptions = {
  /**
   * Asked after each pass of the background loop: run the next one within this many milliseconds
   * even if polling is slower or off (null: no hurry). For work a pass could not finish and this
   * process still holds, such as claims the database was not there to release.
   */
  retryWithinMs?: () => number | null;
};

/**
 * A per-process loop around `pass`, which claims its work from the database: the loop holds no work
 * of its own, so any instance can do any of it, and a crashed one loses nothing. One loop per name
 * per process, shared by every Next bundle that imports the module that makes it.
 */
export function workerLoop(name: string, pass: () => Promise<void>, options: WorkerLoopOptions = {}): WorkerLoop {
  const globalKey = Symbol.for(`readerfund.worker.${name}`);
  type Holder = typeof globalThis & { [globalKey]?: LoopState };
  const state = (): LoopState => {
    const holder = globalThis as Holder;
    holder[globalKey] ??= { running: null, again: false, waiters: [], kick: null, loopStarted: false, stopped: false };

    return holder[globalKey];
  };

  async function passes(s: LoopState): Promise<void> {
    do {
      s.again = false;
      const waiters = s.waiters;
      s.waiters = [];
      try {
        await pass();
      } catch (error) {
        log.error(`${name} worker pass failed`, { error: describeError(error) });
      }
      for (const resolve of waiters) resolve();
    } while (s.again);
  }

  function runPass(s: LoopState): Promise<void> {
    if (s.running) {
      s.again = true;

      return s.running;
    }
    s.running = passes(s).finally(() => {
      s.running = null;
    });

    return s.running;
  }

  return {
    wake() {
      const s = state();
      const done = new Promise<void>((resolve) => s.waiters.push(resolve));
      if (s.kick) s.kick();
      else if (s.running) s.again = true;
      else void runPass(s);

      return done;
    },
    running: () => state().loopStarted,
    start(intervalMs) {
      const s = state();
      if (s.loopStarted) return;
      s.loopStarted = true;
      s.stopped = false;
      void (async () => {
        while (!s.stopped) {
          await runPass(s);
          if (s.waiters.length > 0) continue;
          const retryMs = options.retryWithinMs?.() ?? null;
          const waitMs = retryMs === null ? intervalMs : intervalMs > 0 ? Math.min(intervalMs, retryMs) : retryMs;
          await new Promise<void>((resolve) => {
            const timer = waitMs > 0 ? setTimeout(resolve, waitMs) : null;
            timer?.unref();
            s.kick = () => {
              if (timer) clearTimeout(timer);
              resolve();
            };
          });
          s.kick = null;
        }
      })();
    },
    stop() {
      const s = state();
      s.stopped = true;
      s.loopStarted = false;
      s.kick?.();
    },
  };
}
