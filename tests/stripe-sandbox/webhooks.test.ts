import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { signPayload } from "../../stripe-sandbox/webhooks";

describe("webhook signatures", () => {
  it("signs webhooks exactly as Stripe does (the SDK verifies them)", () => {
    const payload = JSON.stringify({ id: "evt_1", object: "event", type: "checkout.session.completed" }, null, 2);
    // eslint-disable-next-line no-restricted-syntax -- the SDK checks a signature's age against real time
    const header = signPayload(payload, "whsec_abc", Math.floor(Date.now() / 1000));
    const event = new Stripe("sk_test_x").webhooks.constructEvent(payload, header, "whsec_abc");
    expect(event.id).toBe("evt_1");
    expect(() => new Stripe("sk_test_x").webhooks.constructEvent(payload, header, "whsec_other")).toThrow(/signature/i);
  });
});
