import { describe, expect, it } from "vitest";
import { previewProps } from "@/emails";
import { render } from "../../support/render-email";

describe("recurring gifts that fail or end", () => {
  it("says when a failed payment will be tried again, or that it will not", async () => {
    const props = previewProps("payment_failed");
    const retrying = await render("payment_failed", props);
    expect(retrying.text).toContain("We will try again on 4 April 2026.");
    expect(retrying.text).not.toMatch(/your fault|you failed/i);
    const last = await render("payment_failed", { ...props, attemptCount: 4, nextAttemptAt: null });
    expect(last.text).toContain("We will not try again.");
    expect(last.text).toContain("We have tried 4 times so far.");
    const russian = await render("payment_failed", { ...props, attemptCount: 3 }, "ru");
    expect(russian.text).toContain("Мы пробовали уже 3 раза.");
  });
});

describe("a failed payment's manage link", () => {
  it("links to the gift's page to update the card for future payments, beside paying this one", async () => {
    const props = previewProps("payment_failed");
    const email = await render("payment_failed", props);
    expect(email.text).toContain("Update the card for future payments");
    expect(email.text).toContain(props.manageUrl!);
    expect(email.text).toContain(props.updateCardUrl);
    expect((await render("payment_failed", { ...props, manageUrl: null })).text).not.toContain("Update the card for future payments");
  });
});
