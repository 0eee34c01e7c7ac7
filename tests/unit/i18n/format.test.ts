import { describe, expect, it } from "vitest";
import { messagesFor } from "@/lib/i18n";
import { describeRecurring, formatDate } from "@/lib/i18n/format";

describe("recurring gifts in the reader's words", () => {
  it("names a recurring gift by its rhythm, in the reader's language, including ones changed by hand in Stripe", () => {
    const en = messagesFor("en");
    const ru = messagesFor("ru");
    expect(describeRecurring(en, 1000, "eur", "month", 1, "en")).toBe("monthly gift of €10.00");
    expect(describeRecurring(en, 10000, "usd", "year", 1, "en")).toBe("annual gift of $100.00");
    expect(describeRecurring(en, 500, "gbp", "week", 2, "en")).toBe("recurring gift of £5.00");
    expect(describeRecurring(ru, 1000, "eur", "month", 1, "ru")).toBe("ежемесячный взнос 10,00\u00a0€");
  });

  it("dates payments in UTC, unambiguously, in the reader's language", () => {
    expect(formatDate(new Date("2026-12-12T23:30:00Z"), "en")).toBe("12 December 2026");
    expect(formatDate(new Date("2026-12-12T23:30:00Z"), "ru")).toBe("12 декабря 2026");
  });
});
