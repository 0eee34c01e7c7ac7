import { describe, expect, it } from "vitest";
import { previewProps, resolveLocale } from "@/emails";
import { langOf, render } from "../../../support/render-email";

describe("locales", () => {
  it("falls back to English for a locale we have no dictionary for", async () => {
    const props = previewProps("receipt_one_time");
    const english = await render("receipt_one_time", props, "en");
    for (const locale of ["de", "uk", "", "x-klingon", "not a locale"]) {
      const email = await render("receipt_one_time", props, locale);
      expect(email.subject).toBe(english.subject);
      expect(email.text).toBe(english.text);
      expect(langOf(email.html)).toBe("en");
    }
  });

  it("reads regional and upper-case tags as their language", async () => {
    expect(resolveLocale("ru-RU")).toBe("ru");
    expect(resolveLocale("RU")).toBe("ru");
    expect(resolveLocale("en-US")).toBe("en");
    expect(resolveLocale(null)).toBe("en");
    const email = await render("receipt_one_time", previewProps("receipt_one_time"), "ru-RU");
    expect(langOf(email.html)).toBe("ru");
    expect(email.subject).toMatch(/^Ваша квитанция: 25,00\s€ — The Exile Times$/);
  });
});
