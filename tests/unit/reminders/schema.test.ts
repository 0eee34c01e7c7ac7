import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldErrors } from "@/lib/validation";
import { CURRENCY_RULES, minorToInput } from "@/lib/money";
import { REMINDER_CANCEL_PURPOSE, REMINDER_LINK_PURPOSE, reminderIdFromToken, reminderLinks } from "@/lib/reminders/links";
import { REMINDER_PAGE_MESSAGES } from "@/lib/reminders/messages";
import { REMINDER_DELAYS, ZReminderRequest } from "@/lib/reminders/schema";
import { sign } from "@/lib/security/secrets";

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

describe("reminder links", () => {
  const id = "0b7f6c1e-3d2a-4c5b-9e8f-7a6b5c4d3e2f";

  it("carry tokens that name the reminder for their own purpose only", () => {
    const links = reminderLinks(id);
    const reopen = decodeURIComponent(new URL(links.reopenUrl).searchParams.get("reminder")!);
    const cancel = decodeURIComponent(new URL(links.cancelUrl).searchParams.get("token")!);
    expect(links.reopenUrl.startsWith("http://localhost:3000/donate?reminder=")).toBe(true);
    expect(links.cancelUrl.startsWith("http://localhost:3000/reminders/cancel?token=")).toBe(true);
    expect(links.oneClickUnsubscribeUrl).toBe(links.cancelUrl.replace("/reminders/cancel", "/api/reminders/cancel"));
    expect(reminderIdFromToken(REMINDER_LINK_PURPOSE, reopen)).toBe(id);
    expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, cancel)).toBe(id);
    expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, reopen)).toBeNull();
    expect(reminderIdFromToken(REMINDER_LINK_PURPOSE, cancel)).toBeNull();
  });

  it("refuse altered tokens and signed values that are not reminder ids", () => {
    expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, sign(REMINDER_CANCEL_PURPOSE, "'; drop table reminders; --"))).toBeNull();
    expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, null)).toBeNull();
    fc.assert(
      fc.property(fc.string(), (token) => {
        expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, token)).toBeNull();
      }),
    );
  });
});

describe("the cancel page's copy", () => {
  it("has every English sentence in Russian, taking the same arguments", () => {
    const shape = (value: unknown): unknown =>
      typeof value === "function"
        ? `function/${value.length}`
        : typeof value === "object" && value !== null
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
          : typeof value;
    expect(shape(REMINDER_PAGE_MESSAGES.ru)).toEqual(shape(REMINDER_PAGE_MESSAGES.en));
    expect(REMINDER_PAGE_MESSAGES.ru.backHome({ newsroom: "Новая газета" })).toBe("Перейти на сайт редакции «Новая газета»");
  });
});
