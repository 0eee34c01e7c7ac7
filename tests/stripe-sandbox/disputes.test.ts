import type Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type StandIn, chargesOf, startStandIn, types } from "../support/stand-in";

let s: StandIn;
beforeEach(async () => {
  s = await startStandIn();
});
afterEach(async () => {
  await s.close();
});

describe("disputes", () => {
  it("opens and closes disputes won and lost, with the funds and the fee moving as on Stripe", async () => {
    const { subscription } = await s.subscribe({ amount: 1000 });
    await s.advanceToRenewal(subscription.id);
    const [first, second] = await chargesOf(s, subscription.id);

    const marker = await s.marker();
    const won = await s.control<Stripe.Dispute>(`/_sandbox/charges/${first!.id}/dispute`, { reason: "fraudulent" });
    expect(won).toMatchObject({ object: "dispute", status: "needs_response", amount: 1000, currency: "eur", reason: "fraudulent", charge: first!.id, payment_intent: first!.payment_intent });
    expect(won.id).toMatch(/^dp_/);
    expect(won.balance_transactions).toEqual([
      expect.objectContaining({ amount: -1000, fee: 1500, net: -2500, type: "adjustment", reporting_category: "dispute", fee_details: [expect.objectContaining({ amount: 1500, type: "stripe_fee" })] }),
    ]);
    expect(await s.stripe.charges.retrieve(first!.id)).toMatchObject({ disputed: true });
    await expect(s.stripe.refunds.create({ charge: first!.id })).rejects.toMatchObject({ statusCode: 400, code: "charge_disputed" });
    const closedWon = await s.control<Stripe.Dispute>(`/_sandbox/disputes/${won.id}/close`, { outcome: "won" });
    expect(closedWon.status).toBe("won");
    expect(closedWon.balance_transactions.map((b) => [b.amount, b.fee, b.net, b.reporting_category])).toEqual([
      [-1000, 1500, -2500, "dispute"],
      [1000, -1500, 2500, "dispute_reversal"],
    ]);

    const lost = await s.control<Stripe.Dispute>(`/_sandbox/charges/${second!.id}/dispute`, { amount: 600 });
    await s.control(`/_sandbox/disputes/${lost.id}/close`, { outcome: "lost" });
    const events = await s.events(marker);
    expect(types(events)).toEqual([
      "charge.dispute.created",
      "charge.dispute.funds_withdrawn",
      "charge.dispute.updated",
      "charge.dispute.closed",
      "charge.dispute.funds_reinstated",
      "charge.dispute.created",
      "charge.dispute.funds_withdrawn",
      "charge.dispute.updated",
      "charge.dispute.closed",
    ]);
    expect(events[0]!.data.object).toMatchObject({ status: "needs_response", balance_transactions: [] });
    expect(events[2]!.data).toMatchObject({ object: { status: "under_review" }, previous_attributes: { status: "needs_response" } });
    expect(events.at(-1)!.data.object).toMatchObject({ id: lost.id, status: "lost", amount: 600, reason: "general" });
    const retrieved = await s.stripe.disputes.retrieve(lost.id, { expand: ["balance_transactions"] });
    expect(retrieved.balance_transactions.map((b) => b.net)).toEqual([-2100]);
    expect((await s.stripe.disputes.list({ charge: second!.id })).data.map((d) => d.id)).toEqual([lost.id]);
    const again = await s.call("POST", `/_sandbox/disputes/${lost.id}/close`, { outcome: "won" });
    expect(again.status).toBe(400);
    const twice = await s.call("POST", `/_sandbox/charges/${second!.id}/dispute`, {});
    expect(twice.status).toBe(400);
  });
});
