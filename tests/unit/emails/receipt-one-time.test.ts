import { describe, expect, it } from "vitest";
import { previewProps } from "@/emails";
import { render } from "../../support/render-email";

describe("receipts", () => {
  it("has the amount, date and reference, and nothing of the card", async () => {
    const email = await render("receipt_one_time", previewProps("receipt_one_time"));
    expect(email.subject).toBe("Your receipt: €25.00 to The Exile Times");
    expect(email.text).toMatch(/Amount\s+€25\.00/);
    expect(email.text).toMatch(/Date\s+14 March 2026/);
    expect(email.text).toMatch(/Receipt reference\s+ch_3QxTqL2eZvKYlo2C0a8fJ1bd/);
    expect(email.text).toContain("keep it for your records");
    expect(email.text).not.toMatch(/card|4242|visa/i);
  });

  it("greets by name when there is one, and escapes it", async () => {
    const props = { ...previewProps("receipt_one_time"), supporterName: '<b>Eve</b> & "Co"' };
    const email = await render("receipt_one_time", props);
    expect(email.html).not.toContain("<b>Eve</b>");
    expect(email.text).toContain('Dear <b>Eve</b> & "Co",');
    expect((await render("receipt_one_time", { ...props, supporterName: null })).text).toContain("Hello,");
  });
});
