import { describe, expect, it } from "vitest";
import { nextPaymentOf, nextPaymentOfSubscription } from "@/lib/gifts/recurrence";

describe("the next payment", () => {
  const end = new Date("2027-01-05T10:00:00Z");

  it("is the end of the period while the gift is active, the end date when it is ending, and unknown otherwise", () => {
    expect(nextPaymentOf({ status: "active", currentPeriodEnd: end, cancelAt: null })).toEqual({ kind: "next-payment", on: end });
    expect(nextPaymentOf({ status: "cancelling", currentPeriodEnd: end, cancelAt: null })).toEqual({ kind: "ends", on: end });
    const earlier = new Date("2026-12-20T00:00:00Z");
    expect(nextPaymentOf({ status: "cancelling", currentPeriodEnd: end, cancelAt: earlier })).toEqual({ kind: "ends", on: earlier });
    for (const status of ["past_due", "ended", "paused", "incomplete", "unknown"]) {
      expect(nextPaymentOf({ status, currentPeriodEnd: end, cancelAt: null })).toBeNull();
    }
    expect(nextPaymentOf({ status: "active", currentPeriodEnd: null, cancelAt: null })).toBeNull();
  });

  it("reads the same from Stripe's subscription (periods live on its items since basil)", () => {
    const seconds = end.getTime() / 1000;
    const subscription = { status: "active", cancel_at: null, cancel_at_period_end: false, items: { data: [{ current_period_end: seconds }] } };
    expect(nextPaymentOfSubscription(subscription)).toEqual({ kind: "next-payment", on: end });
    expect(nextPaymentOfSubscription({ ...subscription, cancel_at_period_end: true })).toEqual({ kind: "ends", on: end });
    expect(nextPaymentOfSubscription({ ...subscription, items: { data: [] } })).toBeNull();
  });
});
