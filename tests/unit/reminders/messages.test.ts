import { describe, expect, it } from "vitest";
import { REMINDER_PAGE_MESSAGES } from "@/lib/reminders/messages";

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
