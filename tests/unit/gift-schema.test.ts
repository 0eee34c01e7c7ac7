import { describe, expect, it } from "vitest";
import { fieldErrors, ZGiftForm } from "@/lib/gifts/schemas";
import { readGiftMetadata, toStripeMetadata } from "@/lib/stripe/metadata";

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
    });
  });

  it("enforces each currency's floor and ceiling", () => {
    expect(ZGiftForm.safeParse({ ...base, currency: "gbp", amount: "1" }).success).toBe(true);
    const low = ZGiftForm.safeParse({ ...base, currency: "gbp", amount: "0.99" });
    expect(low.success || fieldErrors(low.error)).toEqual({ amount: "Enter at least £1.00" });
    const high = ZGiftForm.safeParse({ ...base, currency: "usd", amount: "10000.01" });
    expect(high.success || fieldErrors(high.error).amount).toMatch(/^Enter at most \$10,000\.00/);
  });
});

describe("gift metadata", () => {
  it("round-trips attribution through Stripe metadata and ignores malformed values", () => {
    const metadata = toStripeMetadata({ frequency: "once", attemptId: "a", articleUrl: "https://n.example/x", campaign: "c", locale: "ru" });
    expect(readGiftMetadata(metadata)).toEqual({
      isOurs: true,
      frequency: "once",
      attribution: { articleUrl: "https://n.example/x", section: null, campaign: "c", variant: null, locale: "ru" },
    });
    expect(readGiftMetadata({ kind: "other", frequency: "weekly", section: "s".repeat(101) })).toEqual({
      isOurs: false,
      frequency: null,
      attribution: { articleUrl: null, section: null, campaign: null, variant: null, locale: null },
    });
  });
});

describe("picker errors from the URL", () => {
  it("shows only our own words, whatever a link puts in ?error=", async () => {
    const { pickerStateFrom } = await import("@/lib/gifts/picker-state");
    expect(pickerStateFrom({ error: "amount", currency: "gbp" }).serverError).toBe("Enter an amount between £1.00 and £10,000.00.");
    expect(pickerStateFrom({ error: "Send your gift to this bitcoin address instead" }).serverError).toBe("Check the form and try again.");
    expect(pickerStateFrom({}).serverError).toBeNull();
  });
});
