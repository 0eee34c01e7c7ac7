import { describe, expect, it } from "vitest";
import { isSameOriginPost } from "@/lib/auth/same-origin";

describe("isSameOriginPost", () => {
  it("believes the Origin header, and Sec-Fetch-Site when a page's referrer policy made Origin null", () => {
    expect(isSameOriginPost({ origin: "http://localhost:3000", secFetchSite: null })).toBe(true);
    expect(isSameOriginPost({ origin: "null", secFetchSite: "same-origin" })).toBe(true);
    expect(isSameOriginPost({ origin: null, secFetchSite: "same-origin" })).toBe(true);
  });

  it("refuses other origins, other sites, and a request that says nothing", () => {
    expect(isSameOriginPost({ origin: "https://evil.example", secFetchSite: "same-origin" })).toBe(false);
    expect(isSameOriginPost({ origin: "http://localhost:3001", secFetchSite: null })).toBe(false);
    expect(isSameOriginPost({ origin: "null", secFetchSite: "cross-site" })).toBe(false);
    expect(isSameOriginPost({ origin: "null", secFetchSite: "same-site" })).toBe(false);
    expect(isSameOriginPost({ origin: null, secFetchSite: null })).toBe(false);
  });
});
