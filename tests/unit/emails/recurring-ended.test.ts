import { describe, expect, it } from "vitest";
import { previewProps } from "@/emails";
import { LOCALES, render } from "../../support/render-email";

describe("recurring gifts that fail or end", () => {
  it("words an ended gift for its reason, each with a way to start again", async () => {
    const props = previewProps("recurring_ended");
    const reasons = ["cancellation_requested", "payment_failed", "payment_disputed", "other"] as const;
    for (const locale of LOCALES) {
      const texts = await Promise.all(reasons.map((reason) => render("recurring_ended", { ...props, reason }, locale).then((e) => e.text)));
      expect(new Set(texts).size).toBe(reasons.length);
      for (const text of texts) expect(text).toContain(props.restartUrl);
    }
    const failed = await render("recurring_ended", { ...props, reason: "payment_failed" });
    expect(failed.text).toContain("because we could not collect its payment");
    expect(failed.text).toContain("Start your gift again");
    const asked = await render("recurring_ended", { ...props, reason: "cancellation_requested" });
    expect(asked.text).toContain("As you asked");
  });
});
