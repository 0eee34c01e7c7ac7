import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "@/lib/stripe/webhooks/inbox-leases";

describe("retryDelaySeconds", () => {
  it("backs off processing retries up to an hour", () => {
    expect([1, 2, 3, 10, 20].map(retryDelaySeconds)).toEqual([5, 10, 20, 2560, 3600]);
  });
});
