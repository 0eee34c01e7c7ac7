import { describe, expect, it } from "vitest";
import { previewProps } from "@/emails";
import { render } from "../../support/render-email";

describe("reminder and sign-in", () => {
  it("the sign-in link says how long it works and to ignore it if it was not you", async () => {
    const props = previewProps("sign_in");
    const email = await render("sign_in", props);
    expect(email.text).toContain("It works for 10 minutes.");
    expect(email.text).toContain("If you did not ask to sign in, you can ignore this email.");
    // The text version has the link exactly, & and all (the HTML one is escaped).
    expect(email.text).toContain("/sign-in/confirm?token=5c1f0e9b7a3d48e2a7c4f0d1b2e3a4c5&email=anna%40example.org");
    expect((await render("sign_in", { ...props, expiresInMinutes: 1 })).text).toContain("It works for 1 minute.");
    expect((await render("sign_in", { ...props, expiresInMinutes: 21 }, "ru")).text).toContain("Она действует 21 минуту.");
    expect((await render("sign_in", { ...props, expiresInMinutes: 15 }, "ru")).text).toContain("Она действует 15 минут.");
  });
});
