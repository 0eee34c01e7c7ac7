import { describe, expect, it } from "vitest";
import { pickerStateFrom } from "@/lib/gifts/picker-state";
import { ZGiftForm } from "@/lib/gifts/schemas";

const attemptId = "3b241101-e2bb-4255-8caf-4136c1a5d2b6";

describe("the picker's words", () => {
  it("accepts Monthly and Annual, from the form and from a cancelled checkout's URL", () => {
    expect(ZGiftForm.safeParse({ frequency: "monthly", currency: "usd", amount: "5", attemptId }).success).toBe(true);
    expect(ZGiftForm.safeParse({ frequency: "annual", currency: "gbp", amount: "1", attemptId }).success).toBe(true);
    expect(ZGiftForm.safeParse({ frequency: "annual", currency: "gbp", amount: "0.99", attemptId }).success).toBe(false);
    expect(pickerStateFrom({ frequency: "monthly", amount: "20", currency: "usd" }).initial).toEqual({
      frequency: "monthly",
      currency: "usd",
      amount: "20",
      coverFee: false,
      discreet: false,
    });
    expect(pickerStateFrom({ frequency: "weekly" }).initial.frequency).toBe("once");
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
