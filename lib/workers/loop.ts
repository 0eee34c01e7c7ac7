import { describeError, log, withRequestId } from "@/lib/log";

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
  /**
   * Whether a background loop runs this work: this process's own (a long-lived server), or a worker
   * process's (see workElsewhere); a serverless function has neither and runs the work itself.
   */
  running: () => boolean;
  /** Starts the background loop: a pass on every wake, and at least every `intervalMs` (0: only when woken). */
  start: (intervalMs: number) => void;
  /** Stops the background loop; resolves when a pass under way has finished. */
  stop: () => Promise<void>;
};

/** Tells the worker processes that a loop has work: its name, on a channel they listen to. */
export type WorkNotifier = (name: string) => Promise<void>;

const elsewhereKey = Symbol.for("readerfund.worker.elsewhere");
type ElsewhereHolder = typeof globalThis & { [elsewhereKey]?: WorkNotifier | null };

/**
 * This process leaves every loop's work to worker processes (`npm run worker`): a wake becomes a
 * notification to them, and the work itself never runs here, however many requests ask for it.
 * Null puts the work back in this process. Per process, like the loops.
 */
export function workElsewhere(notify: WorkNotifier | null): void {
  (globalThis as ElsewhereHolder)[elsewhereKey] = notify;
}

const notifierElsewhere = (): WorkNotifier | null => (globalThis as ElsewhereHolder)[elsewhereKey] ?? null;

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
    // A pass serves no one request, even when a request's wake starts it: each piece of work takes
    // the id of the request that caused it (lib/log.ts).
    s.running = withRequestId(null, () => passes(s)).finally(() => {
      s.running = null;
    });

    return s.running;
  }

  return {
    async wake() {
      const s = state();
      const notify = s.loopStarted ? null : notifierElsewhere();
      if (notify) {
        // The workers also poll: a notification lost with a blip costs a poll's delay, never the work.
        await notify(name).catch((error: unknown) => log.warn(`${name} workers could not be notified`, { error: describeError(error) }));

        return;
      }
      const done = new Promise<void>((resolve) => s.waiters.push(resolve));
      if (s.kick) s.kick();
      else if (s.running) s.again = true;
      else void runPass(s);

      return done;
    },
    running: () => state().loopStarted || notifierElsewhere() !== null,
    start(intervalMs) {
      const s = state();
      if (s.loopStarted) return;
      s.loopStarted = true;
      s.stopped = false;
      void withRequestId(null, async () => {
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
      });
    },
    stop() {
      const s = state();
      s.stopped = true;
      s.loopStarted = false;
      s.kick?.();

      return s.running ?? Promise.resolve();
    },
  };
}
