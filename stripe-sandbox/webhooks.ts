import { createHmac } from "node:crypto";

export type WebhookConfig = {
  /** Where events go; null delivers nothing (events are still listed by the control API). */
  url: string | null;
  secret: string;
  /** Deliver every event twice, independently, as Stripe may. */
  duplicate: boolean;
  /** Deliver the events of one burst (one action's events) in a random order. */
  shuffle: boolean;
  timeoutMs: number;
  /** First retry after this long, doubling each time (Stripe's schedule, accelerated). */
  retryBaseMs: number;
  maxAttempts: number;
  concurrency: number;
};

export type DeliveryRecord = {
  event_id: string;
  type: string;
  copy: number;
  attempt: number;
  status: number | null;
  error: string | null;
  ok: boolean;
  duration_ms: number;
  at: string;
};

/** An event as delivered: its id, type and the exact JSON text that is signed and sent. */
export type DeliverableEvent = { id: string; type: string; json: string };
type Job = { event: DeliverableEvent; copy: number; attempt: number; dueAt: number };

/** A delivery still owed, as saved with the stand-in's state: which event, which copy, which attempt next. */
export type PendingDelivery = { event_id: string; copy: number; attempt: number };

/**
 * Signs `t.body` with the endpoint secret, exactly as Stripe does: HMAC-SHA256 keyed by the whsec_
 * string itself (UTF-8, not decoded), hex, in `Stripe-Signature: t=…,v1=…`.
 */
export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");

  return `t=${timestamp},v1=${signature}`;
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }

  return out;
}

/**
 * At-least-once, unordered delivery with retries, as Stripe promises it: every attempt is signed
 * afresh, anything but a 2xx within the timeout is a failure, and failures are retried with backoff.
 */
export class WebhookDeliverer {
  private queue: Job[] = [];
  private readonly inFlight = new Set<Job>();
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  readonly log: DeliveryRecord[] = [];

  constructor(
    public config: WebhookConfig,
    private readonly onSettled: (eventId: string, delivered: boolean) => void,
    /** After every attempt: the queue and the log have changed. */
    private readonly onChange: () => void = () => {},
  ) {}

  enqueueBurst(events: DeliverableEvent[]): void {
    if (events.length === 0 || this.config.url === null) {
      for (const event of events) this.onSettled(event.id, false);

      return;
    }
    const copies = this.config.duplicate ? 2 : 1;
    let jobs: Job[] = [];
    for (const event of events) {
      for (let copy = 1; copy <= copies; copy++) jobs.push({ event, copy, attempt: 1, dueAt: Date.now() });
    }
    if (this.config.shuffle) jobs = shuffled(jobs);
    this.queue.push(...jobs);
    this.pump();
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry (or after timeoutMs). */
  async whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return true;

    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  pendingCount(): number {
    return this.queue.length + this.inFlight.size;
  }

  /** Stops delivering. What was still owed stays readable by snapshot(), to be saved. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * What is still owed, for the saved state. An attempt in flight counts as owed: its answer may
   * never come, and Stripe too delivers at least once.
   */
  snapshot(): { pending: PendingDelivery[]; log: DeliveryRecord[] } {
    const owed = [...this.inFlight, ...this.queue].sort((a, b) => a.dueAt - b.dueAt);

    return { pending: owed.map((job) => ({ event_id: job.event.id, copy: job.copy, attempt: job.attempt })), log: this.log };
  }

  /**
   * Takes back what a saved stand-in still owed: delivered now, to the endpoint configured now,
   * continuing its count of attempts; the events themselves come from the saved event list.
   */
  restore(saved: { pending: PendingDelivery[]; log: DeliveryRecord[] }, eventOf: (id: string) => DeliverableEvent | undefined): void {
    this.log.push(...saved.log);
    const jobs: Job[] = [];
    for (const owed of saved.pending) {
      const event = eventOf(owed.event_id);
      if (!event) continue;
      if (this.config.url === null) this.onSettled(event.id, false);
      else jobs.push({ event, copy: owed.copy, attempt: owed.attempt, dueAt: Date.now() });
    }
    this.queue.push(...jobs);
    this.pump();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.inFlight.size === 0;
  }

  private pump(): void {
    if (this.closed) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const now = Date.now();
    // Due jobs in queue order (the order already reflects any shuffle).
    while (this.inFlight.size < this.config.concurrency) {
      const index = this.queue.findIndex((job) => job.dueAt <= now);
      if (index === -1) break;
      const job = this.queue.splice(index, 1)[0]!;
      this.inFlight.add(job);
      void this.attempt(job).finally(() => {
        this.inFlight.delete(job);
        this.onChange();
        this.pump();
      });
    }
    if (this.queue.length > 0 && this.inFlight.size < this.config.concurrency) {
      const nextDue = Math.min(...this.queue.map((job) => job.dueAt));
      this.timer = setTimeout(() => this.pump(), Math.max(0, nextDue - Date.now()));
    }
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async attempt(job: Job): Promise<void> {
    const { url, secret, timeoutMs } = this.config;
    if (url === null) return;
    const payload = job.event.json;
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "stripe-signature": signPayload(payload, secret, Math.floor(Date.now() / 1000)),
        },
        body: payload,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (caught) {
      error = caught instanceof Error && caught.name === "TimeoutError" ? "timed out" : String((caught as Error)?.message ?? caught);
    }
    const ok = status !== null && status >= 200 && status < 300;
    this.log.push({
      event_id: job.event.id,
      type: job.event.type,
      copy: job.copy,
      attempt: job.attempt,
      status,
      error,
      ok,
      duration_ms: Date.now() - started,
      at: new Date().toISOString(),
    });
    if (ok) {
      this.onSettled(job.event.id, true);

      return;
    }
    if (job.attempt >= this.config.maxAttempts) {
      this.onSettled(job.event.id, false);

      return;
    }
    const backoff = this.config.retryBaseMs * 2 ** (job.attempt - 1);
    const jitter = Math.floor(Math.random() * Math.min(1000, backoff / 4 + 1));
    this.queue.push({ ...job, attempt: job.attempt + 1, dueAt: Date.now() + backoff + jitter });
  }
}
