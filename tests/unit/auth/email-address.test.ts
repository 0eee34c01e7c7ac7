import { describe, expect, it } from "vitest";
import { normalizeSignInEmail } from "@/lib/auth/email-address";

describe("normalizeSignInEmail", () => {
  it("makes one identifier of one inbox however it was typed, keeping tags and dots (the address we write to)", () => {
    expect(normalizeSignInEmail("  Anna.K+news@Example.ORG ")).toBe("anna.k+news@example.org");
    expect(normalizeSignInEmail("ANNA@EXAMPLE.ORG")).toBe(normalizeSignInEmail("anna@example.org"));
  });

  it("refuses what is not one plain address, including look-alikes that become a second @", () => {
    for (const value of ["", "anna", "anna@", "@example.org", "a@b@example.org", '"a"@example.org', "a@example.org,b@example.org", "a@example.org b@x.org", "ａ＠x.org@example.org", `${"a".repeat(250)}@example.org`, 42, null]) {
      expect(normalizeSignInEmail(value)).toBeNull();
    }
  });
});
