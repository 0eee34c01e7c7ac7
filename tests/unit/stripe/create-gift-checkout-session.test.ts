import { describe, expect, it } from "vitest";
import { type TGiftForm, ZGiftForm } from "@/lib/gifts/schemas";
import { giftCheckoutIdempotencyKey, giftCheckoutParams } from "@/lib/stripe/create-gift-checkout-session";

const attemptId = "3b241101-e2bb-4255-8caf-4136c1a5d2b6";
const context = { appUrl: "https://give.example", newsroomName: "The Exile Times", nowSeconds: 1_800_000_000, discreetStatementDescriptor: "ONLINE SERVICES" };
const form = (frequency: "once" | "monthly" | "annual", amount = "10"): TGiftForm =>
  ZGiftForm.parse({ frequency, currency: "eur", amount, attemptId, campaign: "footer", articleUrl: "https://news.example/a" });

describe("Checkout Session parameters per frequency", () => {
  it("makes a monthly gift a subscription on the fixed monthly product, with our metadata on the session and the subscription", () => {
    const params = giftCheckoutParams(form("monthly", "12.50"), context);
    const metadata = { kind: "readerfund_gift", frequency: "monthly", attempt_id: attemptId, locale: "en", campaign: "footer", article_url: "https://news.example/a" };

    expect(params).toEqual({
      mode: "subscription",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 1250, product: "readerfund_gift_monthly", recurring: { interval: "month" } } }],
      metadata,
      subscription_data: { metadata, description: "Monthly gift to The Exile Times" },
      locale: "en",
      expires_at: expect.any(Number),
      success_url: "https://give.example/donate/thank-you?session_id={CHECKOUT_SESSION_ID}&lang=en",
      cancel_url: expect.stringMatching(/^https:\/\/give\.example\/donate\?cancelled=1&frequency=monthly&currency=eur&amount=12\.50&/),
    });
  });

  it("bills an annual gift every year on the annual product", () => {
    const params = giftCheckoutParams(form("annual", "100"), context);
    expect(params.mode).toBe("subscription");
    expect(params.line_items?.[0]?.price_data).toEqual({ currency: "eur", unit_amount: 10000, product: "readerfund_gift_annual", recurring: { interval: "year" } });
    expect(params.subscription_data?.description).toBe("Annual gift to The Exile Times");
    expect(params.metadata?.frequency).toBe("annual");
  });

  it("never sends what Stripe refuses in subscription mode", () => {
    for (const frequency of ["monthly", "annual"] as const) {
      const params = giftCheckoutParams(form(frequency), context);
      expect(params).not.toHaveProperty("submit_type");
      expect(params).not.toHaveProperty("customer_creation");
      expect(params).not.toHaveProperty("payment_intent_data");
      expect(params).not.toHaveProperty("payment_method_types");
    }
  });

  it("keeps a one-time gift as it was: payment mode, donate button, a Customer, metadata on the PaymentIntent", () => {
    const params = giftCheckoutParams(form("once", "25"), context);
    expect(params).toMatchObject({
      mode: "payment",
      submit_type: "donate",
      customer_creation: "always",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 2500, product_data: { name: "One-time gift to The Exile Times" } } }],
      payment_intent_data: { metadata: { frequency: "once", attempt_id: attemptId } },
    });
    expect(params).not.toHaveProperty("subscription_data");
  });

  it("gives every frequency the same expiry and return URLs rules", () => {
    const [once, monthly, annual] = (["once", "monthly", "annual"] as const).map((f) => giftCheckoutParams(form(f), context));
    expect(new Set([once!.expires_at, monthly!.expires_at, annual!.expires_at]).size).toBe(1);
    expect(once!.expires_at! - context.nowSeconds).toBeGreaterThanOrEqual(60 * 60);
    expect(once!.expires_at! - context.nowSeconds).toBeLessThanOrEqual(70 * 60);
    expect(new Set([once!.success_url, monthly!.success_url, annual!.success_url]).size).toBe(1);
  });

  it("gives one attempt a different idempotency key per frequency, and the same key to a double click", () => {
    const key = (frequency: "once" | "monthly" | "annual", nowSeconds = context.nowSeconds) =>
      giftCheckoutIdempotencyKey(attemptId, giftCheckoutParams(form(frequency), { ...context, nowSeconds }));

    expect(key("monthly")).toBe(key("monthly", context.nowSeconds + 1));
    expect(new Set([key("once"), key("monthly"), key("annual")]).size).toBe(3);
    expect(key("monthly")).toMatch(new RegExp(`^gift-checkout:${attemptId}:[0-9a-f]{32}$`));
  });
});
