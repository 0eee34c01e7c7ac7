import Stripe from "stripe";
import { describe, expect, it, vi } from "vitest";
import { pickerStateFrom } from "@/lib/gifts/picker-state";
import { nextPaymentOf, nextPaymentOfSubscription } from "@/lib/gifts/recurrence";
import { messagesFor } from "@/lib/i18n";
import { describeRecurring, formatDate } from "@/lib/i18n/format";
import { type TGiftForm, ZGiftForm } from "@/lib/gifts/schemas";
import { giftCheckoutIdempotencyKey, giftCheckoutParams } from "@/lib/stripe/create-gift-checkout-session";
import { ensureGiftProduct, ensureProductUncached, giftProductFor } from "@/lib/stripe/gift-products";

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
      success_url: "https://give.example/donate/thank-you?session_id={CHECKOUT_SESSION_ID}",
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

describe("the picker's words", () => {
  it("accepts Monthly and Annual, from the form and from a cancelled checkout's URL", () => {
    expect(ZGiftForm.safeParse({ frequency: "monthly", currency: "usd", amount: "5", attemptId }).success).toBe(true);
    expect(ZGiftForm.safeParse({ frequency: "annual", currency: "gbp", amount: "1", attemptId }).success).toBe(true);
    expect(ZGiftForm.safeParse({ frequency: "annual", currency: "gbp", amount: "0.99", attemptId }).success).toBe(false);
    expect(pickerStateFrom({ frequency: "monthly", amount: "20", currency: "usd" }).initial).toEqual({
      frequency: "monthly",
      currency: "usd",
      amount: "20",
      coverFee: false,
      discreet: false,
    });
    expect(pickerStateFrom({ frequency: "weekly" }).initial.frequency).toBe("once");
  });

  it("names a recurring gift by its rhythm, in the reader's language, including ones changed by hand in Stripe", () => {
    const en = messagesFor("en");
    const ru = messagesFor("ru");
    expect(describeRecurring(en, 1000, "eur", "month", 1, "en")).toBe("monthly gift of €10.00");
    expect(describeRecurring(en, 10000, "usd", "year", 1, "en")).toBe("annual gift of $100.00");
    expect(describeRecurring(en, 500, "gbp", "week", 2, "en")).toBe("recurring gift of £5.00");
    expect(describeRecurring(ru, 1000, "eur", "month", 1, "ru")).toBe("ежемесячный взнос 10,00\u00a0€");
  });

  it("dates payments in UTC, unambiguously, in the reader's language", () => {
    expect(formatDate(new Date("2026-12-12T23:30:00Z"), "en")).toBe("12 December 2026");
    expect(formatDate(new Date("2026-12-12T23:30:00Z"), "ru")).toBe("12 декабря 2026");
  });
});

describe("the next payment", () => {
  const end = new Date("2027-01-05T10:00:00Z");

  it("is the end of the period while the gift is active, the end date when it is ending, and unknown otherwise", () => {
    expect(nextPaymentOf({ status: "active", currentPeriodEnd: end, cancelAt: null })).toEqual({ kind: "next-payment", on: end });
    expect(nextPaymentOf({ status: "cancelling", currentPeriodEnd: end, cancelAt: null })).toEqual({ kind: "ends", on: end });
    const earlier = new Date("2026-12-20T00:00:00Z");
    expect(nextPaymentOf({ status: "cancelling", currentPeriodEnd: end, cancelAt: earlier })).toEqual({ kind: "ends", on: earlier });
    for (const status of ["past_due", "ended", "paused", "incomplete", "unknown"]) {
      expect(nextPaymentOf({ status, currentPeriodEnd: end, cancelAt: null })).toBeNull();
    }
    expect(nextPaymentOf({ status: "active", currentPeriodEnd: null, cancelAt: null })).toBeNull();
  });

  it("reads the same from Stripe's subscription (periods live on its items since basil)", () => {
    const seconds = end.getTime() / 1000;
    const subscription = { status: "active", cancel_at: null, cancel_at_period_end: false, items: { data: [{ current_period_end: seconds }] } };
    expect(nextPaymentOfSubscription(subscription)).toEqual({ kind: "next-payment", on: end });
    expect(nextPaymentOfSubscription({ ...subscription, cancel_at_period_end: true })).toEqual({ kind: "ends", on: end });
    expect(nextPaymentOfSubscription({ ...subscription, items: { data: [] } })).toBeNull();
  });
});

describe("the fixed product per frequency", () => {
  const stripeError = (statusCode: number, code: string) =>
    new Stripe.errors.StripeInvalidRequestError({ type: "invalid_request_error", statusCode, code, message: code });
  const product = (over: Partial<Stripe.Product> = {}) => ({ id: "readerfund_gift_monthly", active: true, name: "Monthly gift to The Exile Times", ...over });

  function fakeStripe(script: { retrieve: Array<() => unknown>; create?: () => unknown }) {
    const products = {
      retrieve: vi.fn(async () => script.retrieve.shift()!()),
      create: vi.fn(async () => script.create!()),
      update: vi.fn(async () => product()),
    };

    return { stripe: { products } as unknown as Stripe, products };
  }
  const wanted = giftProductFor("monthly", "The Exile Times");

  it("is created under our id, with our name, when it is missing", async () => {
    const { stripe, products } = fakeStripe({ retrieve: [() => Promise.reject(stripeError(404, "resource_missing"))], create: () => product() });
    await ensureProductUncached(stripe, wanted);

    expect(products.create).toHaveBeenCalledWith({
      id: "readerfund_gift_monthly",
      name: "Monthly gift to The Exile Times",
      metadata: { kind: "readerfund_gift_product", frequency: "monthly" },
    });
  });

  it("is read again when another instance created it first (Stripe: 400 resource_already_exists)", async () => {
    const { stripe, products } = fakeStripe({
      retrieve: [() => Promise.reject(stripeError(404, "resource_missing")), () => product()],
      create: () => Promise.reject(stripeError(400, "resource_already_exists")),
    });
    await expect(ensureProductUncached(stripe, wanted)).resolves.toBeUndefined();

    expect(products.retrieve).toHaveBeenCalledTimes(2);
    expect(products.update).not.toHaveBeenCalled();
  });

  it("is left alone when it exists as we would create it, and brought back when archived or renamed", async () => {
    const same = fakeStripe({ retrieve: [() => product()] });
    await ensureProductUncached(same.stripe, wanted);
    expect(same.products.create).not.toHaveBeenCalled();
    expect(same.products.update).not.toHaveBeenCalled();

    const archived = fakeStripe({ retrieve: [() => product({ active: false, name: "Monthly gift to Old Name" })] });
    await ensureProductUncached(archived.stripe, wanted);
    expect(archived.products.update).toHaveBeenCalledWith("readerfund_gift_monthly", { active: true, name: "Monthly gift to The Exile Times" });
  });

  it("passes on any other failure, and does not remember a failure", async () => {
    const down = fakeStripe({ retrieve: [() => Promise.reject(new Stripe.errors.StripeConnectionError({ message: "down" }))] });
    const other = { ...wanted, id: `readerfund_test_${Date.now()}` };
    await expect(ensureGiftProduct(down.stripe, other)).rejects.toThrow("down");

    const up = fakeStripe({ retrieve: [() => product({ id: other.id })] });
    await ensureGiftProduct(up.stripe, other);
    await Promise.all([ensureGiftProduct(up.stripe, other), ensureGiftProduct(up.stripe, other)]);
    // Remembered once it is known to exist: one retrieve for three calls.
    expect(up.products.retrieve).toHaveBeenCalledTimes(1);
  });
});
