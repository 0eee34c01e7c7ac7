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

  /** How far ahead of real time the clock is, to be saved and restored with the stand-in's state. */
  offset(): number {
    return this.offsetSeconds;
  }

  /**
   * Puts the clock back where a saved stand-in had it: as far ahead of real time as it was, so the
   * time the stand-in was stopped passes on its clock too, as it would on Stripe's.
   */
  restoreOffset(seconds: number): void {
    // Any whole number: a clock started at a chosen date may be behind real time.
    if (!Number.isInteger(seconds)) throw new RangeError("a saved clock offset must be an integer");
    this.offsetSeconds = seconds;
  }
}
