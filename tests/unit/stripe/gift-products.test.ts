import Stripe from "stripe";
import { describe, expect, it, vi } from "vitest";
import { ensureGiftProduct, ensureProductUncached, giftProductFor } from "@/lib/stripe/gift-products";

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
