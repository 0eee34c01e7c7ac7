import { describe, expect, it } from "vitest";
import { stripeFee } from "../../stripe-sandbox/fees";

describe("fees", () => {
  it("prices fees by Stripe's standard card pricing, rounded half up", () => {
    expect(stripeFee(2500, "eur")).toBe(63); // 1.5% = 37.5 → 38, + 25
    expect(stripeFee(1000, "usd")).toBe(59); // 2.9% = 29, + 30
    expect(stripeFee(2000, "gbp")).toBe(50); // 1.5% = 30, + 20
    expect(stripeFee(10, "usd")).toBe(10); // never more than the charge
  });
});
