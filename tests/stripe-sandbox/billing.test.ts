import { describe, expect, it } from "vitest";
import { MAX_AUTOMATIC_ATTEMPTS, nextPeriodEnd, RETRY_AFTER_DAYS } from "../../stripe-sandbox/billing";

describe("billing periods and retries", () => {
  it("bills by calendar periods counted from the anchor, as Stripe does (31 Jan → 28 Feb → 31 Mar)", () => {
    const at = (iso: string) => Date.parse(iso) / 1000;
    const anchor = at("2027-01-31T10:00:00Z");
    expect(nextPeriodEnd(anchor, "month", 1, anchor)).toBe(at("2027-02-28T10:00:00Z"));
    expect(nextPeriodEnd(anchor, "month", 1, at("2027-02-28T10:00:00Z"))).toBe(at("2027-03-31T10:00:00Z"));
    expect(nextPeriodEnd(anchor, "month", 3, anchor)).toBe(at("2027-04-30T10:00:00Z"));
    expect(nextPeriodEnd(at("2028-02-29T00:00:00Z"), "year", 1, at("2028-02-29T00:00:00Z"))).toBe(at("2029-02-28T00:00:00Z"));
    expect(nextPeriodEnd(anchor, "week", 2, anchor)).toBe(anchor + 14 * 86_400);
  });

  it("retries a failed renewal 3, 5 and 7 days apart: four attempts in all", () => {
    expect(RETRY_AFTER_DAYS).toEqual([3, 5, 7]);
    expect(MAX_AUTOMATIC_ATTEMPTS).toBe(4);
  });
});
