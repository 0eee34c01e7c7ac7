import { describe, expect, it } from "vitest";
import { previewProps } from "@/emails";
import { DICTIONARIES, LOCALES, render } from "../../support/render-email";

describe("reminder and sign-in", () => {
  it("the reminder has the unsubscribe link in its footer, and a one-click cancel", async () => {
    const props = previewProps("reminder");
    for (const locale of LOCALES) {
      const email = await render("reminder", props, locale);
      const { reminder } = DICTIONARIES[locale];
      expect(email.text).toContain(`${reminder.unsubscribe} ${props.unsubscribeUrl}`);
      expect(email.text).toContain(`${reminder.cancel} ${props.cancelUrl}`);
      expect(email.text).toContain(`${reminder.button} ${props.reopenUrl}`);
    }
    // Its subject says nothing about giving: it is the email a reader did not cause by paying.
    expect((await render("reminder", props)).subject).not.toMatch(/gift|donat|€/i);
  });

  it("a reminder without an amount still reads well", async () => {
    const email = await render("reminder", { ...previewProps("reminder"), amountMinor: null, currency: null, frequency: "once" });
    expect(email.text).toContain("You had chosen a one-time gift.");
    const bare = await render("reminder", { ...previewProps("reminder"), amountMinor: null, currency: null, frequency: null });
    expect(bare.text).not.toContain("You had chosen");
  });
});
