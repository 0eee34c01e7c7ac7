import { describe, expect, it } from "vitest";
import { en, type Messages } from "@/emails/messages/en";
import { ru } from "@/emails/messages/ru";

describe("locales", () => {
  it("has the same keys in Russian as in English (a missing one does not compile)", () => {
    const { heading: _heading, ...withoutHeading } = ru.receiptOneTime;
    // @ts-expect-error the Russian dictionary must have every English key
    const broken: Messages = { ...ru, receiptOneTime: withoutHeading };
    expect(broken).toBeDefined();

    const keys = (value: unknown): string[] =>
      value && typeof value === "object" ? Object.entries(value).flatMap(([key, inner]) => [key, ...keys(inner).map((k) => `${key}.${k}`)]) : [];
    expect(keys(ru).sort()).toEqual(keys(en).sort());
  });
});
