import { describe, expect, it } from "vitest";
import { previewProps } from "@/emails";
import { render } from "../../support/render-email";

describe("recurring gifts that fail or end", () => {
  it("says a gift set to end takes nothing more", async () => {
    const email = await render("recurring_ending", previewProps("recurring_ending"));
    expect(email.subject).toBe("Your monthly gift of €10.00 ends on 1 May 2026");
    expect(email.text).toContain("No further payments will be taken.");
  });
});
