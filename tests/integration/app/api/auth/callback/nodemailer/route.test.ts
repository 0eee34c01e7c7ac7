import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/auth/callback/nodemailer/route";

const callback = (query: string) => GET(new Request(`http://localhost:3000/api/auth/callback/nodemailer?${query}`));

describe("GET /api/auth/callback/nodemailer", () => {
  it("leads an Auth.js-style link to our confirm page, which spends nothing on opening", () => {
    const response = callback("callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Faccount%3Ftab%3Dgifts&token=abcdefghijklmnop0123&email=anna%40example.org");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/sign-in/confirm?token=abcdefghijklmnop0123&email=anna%40example.org&return=%2Faccount%3Ftab%3Dgifts");
  });

  it("keeps a return address only on our own site", () => {
    for (const callbackUrl of ["https://evil.example/account", "//evil.example", "javascript:alert(1)"]) {
      const response = callback(`callbackUrl=${encodeURIComponent(callbackUrl)}&token=abcdefghijklmnop0123&email=anna%40example.org`);
      expect(response.headers.get("location")).toBe("/sign-in/confirm?token=abcdefghijklmnop0123&email=anna%40example.org");
    }
  });
});
