import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ensureProductUncached } from "@/lib/stripe/gift-products";
import { sandboxStripe } from "../../support/stripe";

describe("the fixed products", () => {
  it("are created once when two app instances race to create them", async () => {
    const id = `readerfund_test_${randomUUID().replaceAll("-", "")}`;
    const wanted = { id, name: "Monthly gift to a race", metadata: { kind: "readerfund_gift_product", frequency: "monthly" } };
    const instances = [sandboxStripe(), sandboxStripe(), sandboxStripe()];
    await Promise.all(instances.map((stripe) => ensureProductUncached(stripe, wanted)));

    const product = await sandboxStripe().products.retrieve(id);
    expect(product).toMatchObject({ id, name: "Monthly gift to a race", active: true });
  });
});
