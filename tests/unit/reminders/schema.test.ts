import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldErrors } from "@/lib/validation";
import { CURRENCY_RULES, minorToInput } from "@/lib/money";
import { REMINDER_DELAYS, ZReminderRequest } from "@/lib/reminders/schema";

const valid = (overrides: Record<string, unknown> = {}) => ({
  visitorId: "v_0123456789abcdef",
  choice: "month",
  email: "  Reader@Example.ORG ",
  locale: "ru",
  picker: { frequency: "annual", currency: "usd", amount: "1 000,5", coverFee: false },
  ...overrides,
});

describe("the reminder request schema", () => {
  it("gives the amount in minor units, the address trimmed and lower-cased, attribution only when usable", () => {
    const parsed = ZReminderRequest.parse(valid({ articleUrl: "https://news.example/a", section: "world & politics", campaign: "<b>", challenge: "abc" }));
    expect(parsed).toEqual({
      visitorId: "v_0123456789abcdef",
      choice: "month",
      email: "reader@example.org",
      locale: "ru",
      picker: { frequency: "annual", currency: "usd", amountMinor: 100_050, coverFee: false },
      articleUrl: "https://news.example/a",
      section: "world & politics",
      campaign: undefined,
      variant: undefined,
      challenge: "abc",
    });
  });

  it("treats an empty, blank or null address as none; 'hide' takes none, and refuses one", () => {
    for (const email of ["", "   ", null, undefined]) {
      expect(ZReminderRequest.parse(valid({ email })).email).toBeUndefined();
      expect(ZReminderRequest.parse(valid({ email, choice: "hide" })).choice).toBe("hide");
    }
    const refused = ZReminderRequest.safeParse(valid({ choice: "hide" }));
    expect(refused.success).toBe(false);
    expect(fieldErrors(refused.error!)).toEqual({ email: expect.stringContaining("sends no email") });
  });

  it("accepts every amount a form can hold between the currency's floor and ceiling, and nothing outside", () => {
    const { minMinor, maxMinor } = CURRENCY_RULES.eur;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: maxMinor * 2 }), (minor) => {
        const picker = { frequency: "once", currency: "eur", amount: minorToInput(minor, "eur"), coverFee: true };
        const parsed = ZReminderRequest.safeParse(valid({ picker }));
        expect(parsed.success).toBe(minor >= minMinor && minor <= maxMinor);
        if (parsed.success) expect(parsed.data.picker.amountMinor).toBe(minor);
        else expect(fieldErrors(parsed.error)).toHaveProperty(["picker.amount"]);
      }),
    );
  });

  it("due dates: a calendar month, three calendar months, 90 days", () => {
    expect(REMINDER_DELAYS).toEqual({ month: "1 month", three_months: "3 months", hide: "90 days" });
  });
});
