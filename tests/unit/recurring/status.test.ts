import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { frequencyOf, recurringGiftStatusOf } from "@/lib/recurring/status";

const subscription = (overrides: Partial<Stripe.Subscription>) =>
  ({ status: "active", pause_collection: null, cancel_at: null, cancel_at_period_end: false, cancellation_details: null, ...overrides }) as Stripe.Subscription;

describe("recurring gift status from Stripe's subscription", () => {
  it.each([
    [{ status: "active" }, "active", null],
    [{ status: "trialing" }, "active", "trialing"],
    [{ status: "active", pause_collection: { behavior: "void", resumes_at: null } }, "paused", "collection_paused"],
    [{ status: "active", cancel_at_period_end: true }, "cancelling", "cancellation_requested"],
    [{ status: "active", cancel_at: 1_900_000_000 }, "cancelling", "cancellation_requested"],
    [{ status: "past_due" }, "past_due", "payment_failed"],
    [{ status: "past_due", cancel_at_period_end: true }, "past_due", "payment_failed"],
    [{ status: "unpaid" }, "past_due", "retries_exhausted"],
    [{ status: "paused" }, "paused", "trial_ended_without_payment_method"],
    [{ status: "incomplete" }, "incomplete", "first_payment_pending"],
    [{ status: "incomplete_expired" }, "ended", "incomplete_expired"],
    [{ status: "canceled", cancellation_details: { reason: "payment_failed", comment: null, feedback: null } }, "ended", "payment_failed"],
    [{ status: "canceled", cancellation_details: { reason: "payment_disputed", comment: null, feedback: null } }, "ended", "payment_disputed"],
    [{ status: "canceled" }, "ended", "canceled"],
  ] as const)("%o → %s (%s)", (overrides, status, reason) => {
    expect(recurringGiftStatusOf(subscription(overrides as Partial<Stripe.Subscription>))).toEqual({ status, reason });
  });

  it("fails closed on a status Stripe adds later: unknown, never active", () => {
    expect(recurringGiftStatusOf(subscription({ status: "suspended_by_regulator" as Stripe.Subscription.Status }))).toEqual({
      status: "unknown",
      reason: "stripe_status:suspended_by_regulator",
    });
  });

  it("names only the intervals we offer", () => {
    expect(frequencyOf("month", 1)).toBe("monthly");
    expect(frequencyOf("year", 1)).toBe("annual");
    expect(frequencyOf("month", 3)).toBeNull();
    expect(frequencyOf("week", 1)).toBeNull();
  });
});
