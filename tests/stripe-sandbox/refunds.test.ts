import type Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type StandIn, chargesOf, only, startStandIn, types } from "../support/stand-in";

let s: StandIn;
beforeEach(async () => {
  s = await startStandIn();
});
afterEach(async () => {
  await s.close();
});

async function oneTimeCharge(amount = 5000): Promise<Stripe.Charge> {
  const session = await s.stripe.checkout.sessions.create({
    mode: "payment",
    submit_type: "donate",
    line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: amount, product_data: { name: "Gift" } } }],
  });
  await s.control(`/_sandbox/checkout/sessions/${session.id}/pay`, { email: "once@example.org" });
  const paid = await s.stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent.latest_charge"] });

  return (paid.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
}

describe("refunds", () => {
  it("refunds in part then the rest: cumulative amount_refunded, refunded only when full, each with its own balance transaction", async () => {
    const charge = await oneTimeCharge(5000);
    const marker = await s.marker();
    const partial = await s.stripe.refunds.create({ payment_intent: charge.payment_intent as string, amount: 2000, reason: "requested_by_customer", metadata: { ticket: "42" } });
    expect(partial).toMatchObject({ object: "refund", amount: 2000, status: "succeeded", charge: charge.id, payment_intent: charge.payment_intent, reason: "requested_by_customer", metadata: { ticket: "42" } });
    expect(partial.id).toMatch(/^re_/);
    const events = await s.events(marker);
    expect(types(events)).toEqual(["refund.created", "charge.refunded"]);
    expect(events.every((e) => e.request?.id === partial.lastResponse.requestId)).toBe(true);
    expect(only(events, "charge.refunded").event.data).toMatchObject({ object: { amount_refunded: 2000, refunded: false }, previous_attributes: { amount_refunded: 0, refunded: false } });

    await expect(s.stripe.refunds.create({ charge: charge.id, amount: 3001 })).rejects.toMatchObject({ statusCode: 400, code: "amount_too_large" });
    const rest = await s.stripe.refunds.create({ charge: charge.id });
    expect(rest.amount).toBe(3000);
    expect(await s.stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 5000, refunded: true });
    await expect(s.stripe.refunds.create({ charge: charge.id, amount: 1 })).rejects.toMatchObject({ statusCode: 400, code: "charge_already_refunded" });

    const withTransactions = await s.stripe.refunds.list({ charge: charge.id, expand: ["data.balance_transaction"] });
    expect(withTransactions.data.map((r) => [r.amount, (r.balance_transaction as Stripe.BalanceTransaction).amount, (r.balance_transaction as Stripe.BalanceTransaction).fee])).toEqual([
      [3000, -3000, 0],
      [2000, -2000, 0],
    ]);
    expect((await s.stripe.refunds.retrieve(partial.id, { expand: ["balance_transaction"] })).balance_transaction).toMatchObject({ type: "refund", net: -2000, source: partial.id });
    expect((await s.stripe.refunds.list({ payment_intent: charge.payment_intent as string })).data).toHaveLength(2);
    // `refunds` is includable on a charge: absent unless expanded.
    expect(await s.stripe.charges.retrieve(charge.id)).not.toHaveProperty("refunds");
    expect((await s.stripe.charges.retrieve(charge.id, { expand: ["refunds"] })).refunds!.data.map((r) => r.id)).toEqual([rest.id, partial.id]);
  });

  it("refunds a renewal's charge without touching the invoice or the subscription", async () => {
    const { subscription } = await s.subscribe({ amount: 1000 });
    await s.advanceToRenewal(subscription.id);
    const [, renewal] = await chargesOf(s, subscription.id);
    const marker = await s.marker();
    await s.stripe.refunds.create({ charge: renewal!.id });
    expect(types(await s.events(marker))).toEqual(["refund.created", "charge.refunded"]);
    expect(await s.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "active" });
    expect((await s.stripe.invoices.list({ subscription: subscription.id, status: "paid" })).data).toHaveLength(2);
  });

  it("refuses a refund with neither a charge nor a payment intent, or of a failed payment", async () => {
    await expect(s.stripe.refunds.create({})).rejects.toMatchObject({ statusCode: 400, code: "parameter_missing" });
    await expect(s.stripe.refunds.create({ charge: "ch_missing" })).rejects.toMatchObject({ statusCode: 404 });
  });
});
