import { describe, expect, it } from "vitest";
import { safeReturnPath } from "@/lib/auth/return-path";

describe("safeReturnPath", () => {
  it("keeps a path on this site", () => {
    expect(safeReturnPath("/account")).toBe("/account");
    expect(safeReturnPath("/account/statement?year=2026")).toBe("/account/statement?year=2026");
  });

  it("sends anything that could leave the site to the account", () => {
    for (const value of ["//evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "account", "/a\u0000b", "/a\nb", `/${"a".repeat(600)}`, undefined, 7]) {
      expect(safeReturnPath(value)).toBe("/account");
    }
  });
});
