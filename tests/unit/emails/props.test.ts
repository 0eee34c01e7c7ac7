import { describe, expect, it } from "vitest";
import { previewProps } from "@/emails";
import { render } from "../../support/render-email";

describe("props are checked before anything is rendered", () => {
  it("refuses a link that is not a web address", async () => {
    for (const url of ["javascript:alert(1)", "data:text/html,hi", "//evil.example/x", "not a url"]) {
      await expect(render("payment_failed", { ...previewProps("payment_failed"), updateCardUrl: url })).rejects.toThrow(/invalid props for email payment_failed: updateCardUrl/);
      for (const template of ["receipt_recurring", "recurring_ending", "payment_failed"] as const) {
        await expect(render(template, { ...previewProps(template), manageUrl: url } as never)).rejects.toThrow(new RegExp(`invalid props for email ${template}: manageUrl`));
      }
    }
  });

  it("refuses dates that are not ISO timestamps, amounts that are not integers, and upper-case currencies", async () => {
    const props = previewProps("receipt_one_time");
    await expect(render("receipt_one_time", { ...props, paidAt: "yesterday" })).rejects.toThrow(/paidAt/);
    await expect(render("receipt_one_time", { ...props, amountMinor: 25.5 })).rejects.toThrow(/amountMinor/);
    await expect(render("receipt_one_time", { ...props, currency: "EUR" })).rejects.toThrow(/currency/);
    await expect(render("receipt_one_time", null as never)).rejects.toThrow(/invalid props/);
  });
});
