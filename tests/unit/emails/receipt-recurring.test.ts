import { describe, expect, it } from "vitest";
import { previewProps } from "@/emails";
import { LOCALES, render } from "../../support/render-email";

describe("receipts", () => {
  it("tells a first recurring payment from a renewal, in subject and wording", async () => {
    const first = previewProps("receipt_recurring");
    const renewal = { ...first, first: false };
    for (const locale of LOCALES) {
      const [a, b] = await Promise.all([render("receipt_recurring", first, locale), render("receipt_recurring", renewal, locale)]);
      expect(a.subject).not.toBe(b.subject);
    }
    const started = await render("receipt_recurring", first);
    expect(started.subject).toBe("Your monthly gift has started: €10.00 to The Exile Times");
    expect(started.text).toContain("Period covered");
    expect(started.text).toMatch(/Period covered\s+1 March\s–\s1 April 2026/);
    expect(started.text).toMatch(/Next payment\s+1 April 2026/);
    const renewed = await render("receipt_recurring", renewal);
    expect(renewed.text).toContain("Thank you for your continued support");
    const annual = await render("receipt_recurring", { ...renewal, frequency: "annual", nextPaymentAt: null, periodStart: null, periodEnd: null });
    expect(annual.text).toContain("annual gift of €10.00");
    expect(annual.text).not.toContain("Next payment");
    expect(annual.text).not.toContain("Period covered");
  });
});

describe("a recurring receipt's manage link", () => {
  it("carries the gift's signed link with a word not to forward it, in both languages; none when there is no link", async () => {
    const props = previewProps("receipt_recurring");
    const en = await render("receipt_recurring", props);
    expect(en.text).toContain("Change, pause or cancel your gift");
    expect(en.text).toContain(props.manageUrl!);
    expect(en.html).toContain(`href="${props.manageUrl!.replaceAll("&", "&amp;")}"`);
    expect(en.text).toContain("please do not forward this email");
    const ru = await render("receipt_recurring", props, "ru");
    expect(ru.text).toContain("Изменить, приостановить или отменить пожертвование");
    const without = await render("receipt_recurring", { ...props, manageUrl: null });
    expect(without.text).not.toContain("/manage?");
    expect(without.text).not.toContain("Change, pause or cancel");
    // Queued before the link existed: still renders, without it.
    const { manageUrl: _gone, ...older } = props;
    expect((await render("receipt_recurring", older as typeof props)).text).not.toContain("/manage?");
  });
});
