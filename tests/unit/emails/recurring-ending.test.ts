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

describe("an ending gift's way back", () => {
  it("offers to keep the gift until it ends, through its manage link; nothing when there is no link", async () => {
    const props = previewProps("recurring_ending");
    const email = await render("recurring_ending", props);
    expect(email.text).toContain("Changed your mind? You can keep your gift going until 1 May 2026.");
    expect(email.text).toContain("Keep my gift");
    expect(email.text).toContain(props.manageUrl!);
    expect((await render("recurring_ending", props, "ru")).text).toContain("Сохранить пожертвование");
    const without = await render("recurring_ending", { ...props, manageUrl: null });
    expect(without.text).not.toContain("Keep my gift");
  });
});
