import type Stripe from "stripe";

/** A stand-in's clock through its control API (`GET` / `POST /_sandbox/clock`). */
export type ClockApi = {
  now(): Promise<number>;
  /** Moves the clock forward by `seconds` and runs what fell due; answers the new now. */
  advance(seconds: number): Promise<number>;
};

const iso = (unix: number) => new Date(unix * 1000).toISOString();

/**
 * Moves a stand-in's clock to where a subscription's own objects say the next thing happens, never
 * by a guessed number of days: a month is 28 to 31 days and a year 365 or 366, so a guess holds on
 * some dates only. (Stripe's retries are the exception: its schedule is in days.)
 */
export function clockMoves(stripe: Stripe, clock: ClockApi) {
  /** To `at` (unix seconds), or a second or two past it as real time runs on; answers the new now. */
  async function advanceTo(at: number): Promise<number> {
    const now = await clock.now();
    if (at < now) throw new Error(`the stand-in's clock is at ${iso(now)}, past ${iso(at)}, and only moves forward`);

    return clock.advance(at - now);
  }

  /**
   * To the end of the subscription's current period (`items.data[0].current_period_end`): it renews
   * (the period moves on, a draft invoice), or ends if it was set to. Answers that period end.
   */
  async function advanceToPeriodEnd(subscriptionId: string): Promise<number> {
    const periodEnd = (await stripe.subscriptions.retrieve(subscriptionId)).items.data[0]!.current_period_end;
    await advanceTo(periodEnd);

    return periodEnd;
  }

  /** On by the length of the subscription's current period: "a period later", e.g. after it has ended. */
  async function advanceAPeriod(subscriptionId: string): Promise<number> {
    const item = (await stripe.subscriptions.retrieve(subscriptionId)).items.data[0]!;

    return clock.advance(item.current_period_end - item.current_period_start);
  }

  /**
   * Through the subscription's next renewal: to its period end, then to when the renewal's draft
   * invoice is finalized and charged (its `automatically_finalizes_at`, an hour on). Answers the
   * period end the renewal happened at.
   */
  async function advanceToRenewal(subscriptionId: string): Promise<number> {
    const periodEnd = await advanceToPeriodEnd(subscriptionId);
    const { latest_invoice: invoice } = await stripe.subscriptions.retrieve(subscriptionId, { expand: ["latest_invoice"] });
    // A paused subscription's renewal may void its invoice or keep it as a draft that nothing finalizes.
    if (invoice && typeof invoice !== "string" && invoice.status === "draft" && invoice.automatically_finalizes_at !== null) {
      await advanceTo(invoice.automatically_finalizes_at);
    }

    return periodEnd;
  }

  /**
   * To Stripe's next automatic attempt at the subscription's unpaid invoice (its `next_payment_attempt`).
   * Answers that time, or null when no attempt is scheduled (paid, or the attempts ran out).
   */
  async function advanceToRetry(subscriptionId: string): Promise<number | null> {
    const { latest_invoice: invoice } = await stripe.subscriptions.retrieve(subscriptionId, { expand: ["latest_invoice"] });
    const at = invoice && typeof invoice !== "string" && invoice.status === "open" ? invoice.next_payment_attempt : null;
    if (at !== null) await advanceTo(at);

    return at;
  }

  /** Through every retry Stripe has scheduled, until the invoice is paid or the attempts run out. */
  async function advanceThroughRetries(subscriptionId: string): Promise<void> {
    for (let attempts = 0; attempts < 10; attempts++) if ((await advanceToRetry(subscriptionId)) === null) return;
    throw new Error(`subscription ${subscriptionId}: still retrying after 10 attempts`);
  }

  return { now: clock.now, advance: clock.advance, advanceTo, advanceToPeriodEnd, advanceAPeriod, advanceToRenewal, advanceToRetry, advanceThroughRetries };
}
