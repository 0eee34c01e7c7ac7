import fc from "fast-check";
import { cardFee, feeToCover } from "@/lib/gifts/fees";
import { describe, expect, it } from "vitest";
import { ZGiftForm } from "@/lib/gifts/schemas";
import { fieldErrors } from "@/lib/validation";

const base = { frequency: "once", currency: "eur", amount: "25", attemptId: "3b241101-e2bb-4255-8caf-4136c1a5d2b6" };

describe("ZGiftForm (shared by the picker and the server)", () => {
  it("turns the typed amount into minor units and drops empty attribution", () => {
    expect(ZGiftForm.parse({ ...base, amount: "12,30", articleUrl: "", campaign: " footer " })).toEqual({
      frequency: "once",
      currency: "eur",
      amountMinor: 1230,
      attemptId: base.attemptId,
      articleUrl: undefined,
      section: undefined,
      campaign: "footer",
      variant: undefined,
      locale: "en",
      feeCoveredMinor: 0,
      totalMinor: 1230,
      discreet: false,
      emailReceipts: false,
      visitorId: undefined,
      reminder: undefined,
    });
  });

  it("grosses up a covered fee so the newsroom receives the whole gift", () => {
    // €20.00 at 1.5% + €0.25: €20.56 pays a €0.56 fee and leaves €20.00.
    expect(ZGiftForm.parse({ ...base, amount: "20", coverFee: true })).toMatchObject({ amountMinor: 2000, feeCoveredMinor: 56, totalMinor: 2056 });
    // A form post's checkbox says "on".
    expect(ZGiftForm.parse({ ...base, currency: "usd", amount: "10", coverFee: "on" })).toMatchObject({ feeCoveredMinor: 61, totalMinor: 1061 });
    expect(ZGiftForm.parse({ ...base, amount: "20" })).toMatchObject({ feeCoveredMinor: 0, totalMinor: 2000 });
    // For every amount: the least extra that leaves the whole gift after Stripe's fee on the total.
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 1_000_000 }), fc.constantFrom("eur" as const, "usd" as const, "gbp" as const), (gift, currency) => {
        const total = gift + feeToCover(gift, currency);
        expect(total - cardFee(total, currency)).toBeGreaterThanOrEqual(gift);
        expect(total - 1 - cardFee(total - 1, currency)).toBeLessThan(gift);
      }),
    );
    // The ceiling applies to what is charged.
    const over = ZGiftForm.safeParse({ ...base, amount: "10000", coverFee: true });
    expect(over.success || fieldErrors(over.error).amount).toMatch(/^With the card fee added this comes to more than €10,000.00/);
  });

  it("enforces each currency's floor and ceiling", () => {
    expect(ZGiftForm.safeParse({ ...base, currency: "gbp", amount: "1" }).success).toBe(true);
    const low = ZGiftForm.safeParse({ ...base, currency: "gbp", amount: "0.99" });
    expect(low.success || fieldErrors(low.error)).toEqual({ amount: "Enter at least £1.00" });
    const high = ZGiftForm.safeParse({ ...base, currency: "usd", amount: "10000.01" });
    expect(high.success || fieldErrors(high.error).amount).toMatch(/^Enter at most \$10,000\.00/);
    // Too many decimals is said as such, not as out of range.
    const decimals = ZGiftForm.safeParse({ ...base, amount: "10,505" });
    expect(decimals.success || fieldErrors(decimals.error)).toEqual({ amount: "Use at most 2 decimal places, like 10.50, and no thousands separator" });
  });
});
