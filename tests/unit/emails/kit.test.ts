import { describe, expect, it } from "vitest";
import { previewProps } from "@/emails";
import { render } from "../../support/render-email";

describe("locales", () => {
  it("writes amounts and dates the locale's way, in UTC", async () => {
    const props = { ...previewProps("receipt_one_time"), paidAt: "2026-12-31T23:30:00.000-02:00" };
    const english = await render("receipt_one_time", props, "en");
    const russian = await render("receipt_one_time", props, "ru");
    expect(english.text).toContain("€25.00");
    expect(english.text).toContain("1 January 2027");
    expect(russian.text).toMatch(/25,00\s€/);
    expect(russian.text).toContain("1 января 2027");
    // No doubled full stop where a Russian sentence ends in a date.
    const failed = await render("payment_failed", previewProps("payment_failed"), "ru");
    expect(failed.text).toContain("Мы попробуем ещё раз 4 апреля 2026. ");
  });
});
