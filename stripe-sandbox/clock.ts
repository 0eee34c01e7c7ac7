/**
 * The stand-in's notion of now, in unix seconds, like a Stripe test clock: real time plus an offset
 * that the control API can only move forward. Signatures always use real time, not this clock,
 * because the receiver checks them against its own wall clock.
 */
export class Clock {
  private offsetSeconds = 0;

  /** `startAt`: the instant (unix seconds) the clock shows now, as a test clock's `frozen_time`; real time by default. */
  constructor(startAt?: number) {
    if (startAt !== undefined) {
      if (!Number.isInteger(startAt)) throw new RangeError("startAt must be a whole number of unix seconds");
      this.offsetSeconds = startAt - Math.floor(Date.now() / 1000);
    }
  }

  now(): number {
    return Math.floor(Date.now() / 1000) + this.offsetSeconds;
  }

  advance(seconds: number): number {
    if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError("seconds must be a non-negative integer");
    this.offsetSeconds += seconds;

    return this.now();
  }
}
