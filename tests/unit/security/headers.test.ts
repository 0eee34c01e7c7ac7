import { describe, expect, it } from "vitest";
import { expectedSecurityHeaders, securityHeaderRules } from "@/lib/security/headers";

const production = { development: false };

describe("security headers", () => {
  it("sends Strict-Transport-Security only where the app is served over https", () => {
    expect(expectedSecurityHeaders("/donate", { ...production, appUrl: "https://give.example.org" })).toMatchObject({
      "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    });
    expect(expectedSecurityHeaders("/donate", { ...production, appUrl: "http://localhost:3000" })).not.toHaveProperty("Strict-Transport-Security");
    // The strict routes keep it too.
    expect(expectedSecurityHeaders("/mailbox/message/html", { ...production, appUrl: "https://give.example.org" })).toHaveProperty("Strict-Transport-Security");
  });

  it("lets no page be framed but the mailbox's email, by the mailbox itself", () => {
    const site = expectedSecurityHeaders("/", { ...production, appUrl: "http://localhost:3000" });
    expect(site["Content-Security-Policy"]).toContain("frame-ancestors 'none'");
    expect(site["X-Frame-Options"]).toBe("DENY");
    const email = expectedSecurityHeaders("/mailbox/message/html", { ...production, appUrl: "http://localhost:3000" });
    expect(email["Content-Security-Policy"]).toContain("frame-ancestors 'self'");
    expect(email["X-Frame-Options"]).toBe("SAMEORIGIN");
  });

  it("keeps the site's rule off the routes with their own, so Next does not overwrite theirs", () => {
    const [site, ...own] = securityHeaderRules({ ...production, appUrl: "http://localhost:3000" });
    // Next compiles sources to regular expressions; this one must not match the strict routes.
    const siteRegex = new RegExp(`^/${/^\/:path\((.*)\)$/.exec(site!.source)![1]}$`);
    expect(siteRegex.test("/donate/receipt")).toBe(false);
    expect(siteRegex.test("/mailbox/message/html")).toBe(false);
    expect(siteRegex.test("/donate")).toBe(true);
    expect(siteRegex.test("/mailbox/message")).toBe(true);
    expect(siteRegex.test("/sign-in/confirm")).toBe(false);
    expect(siteRegex.test("/sign-in")).toBe(true);
    expect(own.map((rule) => rule.source)).toEqual(["/mailbox/message/html", "/sign-in/confirm", "/donate/receipt"]);
  });

  it("keeps a sign-in link's token from other sites: the confirm page sends a Referer to our own origin only", () => {
    const confirm = expectedSecurityHeaders("/sign-in/confirm", { ...production, appUrl: "https://give.example.org" });
    expect(confirm["Referrer-Policy"]).toBe("same-origin");
    // Otherwise the site's policy, HSTS included.
    expect(confirm["Content-Security-Policy"]).toContain("frame-ancestors 'none'");
    expect(confirm).toHaveProperty("Strict-Transport-Security");
    expect(expectedSecurityHeaders("/sign-in", { ...production, appUrl: "http://localhost:3000" })["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    expect(expectedSecurityHeaders("/account", { ...production, appUrl: "http://localhost:3000" })["X-Frame-Options"]).toBe("DENY");
  });
});
