import { describe, expect, it } from "vitest";
import { readGiftMetadata, toStripeMetadata } from "@/lib/stripe/metadata";

describe("gift metadata", () => {
  it("round-trips attribution through Stripe metadata and ignores malformed values", () => {
    const metadata = toStripeMetadata({ frequency: "once", attemptId: "a", articleUrl: "https://n.example/x", campaign: "c", locale: "ru" });
    expect(readGiftMetadata(metadata)).toEqual({
      isOurs: true,
      frequency: "once",
      attribution: { articleUrl: "https://n.example/x", section: null, campaign: "c", variant: null, locale: "ru" },
      options: { feeCoveredMinor: 0, discreet: null, reminderId: null, visitorId: null },
    });
    const options = toStripeMetadata({
      frequency: "monthly",
      attemptId: "a",
      locale: "en",
      feeCoveredMinor: 56,
      discreet: true,
      reminderId: "3b241101-e2bb-4255-8caf-4136c1a5d2b6",
      visitorId: "abcdefghijklmnop1234",
    });
    expect(readGiftMetadata(options).options).toEqual({
      feeCoveredMinor: 56,
      discreet: "silent",
      reminderId: "3b241101-e2bb-4255-8caf-4136c1a5d2b6",
      visitorId: "abcdefghijklmnop1234",
    });
    expect(readGiftMetadata({ kind: "other", frequency: "weekly", section: "s".repeat(101) })).toEqual({
      isOurs: false,
      frequency: null,
      attribution: { articleUrl: null, section: null, campaign: null, variant: null, locale: null },
      options: { feeCoveredMinor: 0, discreet: null, reminderId: null, visitorId: null },
    });
  });
});
