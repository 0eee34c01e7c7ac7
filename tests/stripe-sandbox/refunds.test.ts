import type Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PRODUCT, type StandIn, only, startStandIn, types } from "../support/stand-in";

let s: StandIn;
beforeEach(async () => {
  s = await startStandIn();
});
afterEach(async () => {
  await s.close();
});

/** A renewed subscription's charges, oldest first, found as the app finds them (invoice payments). */
async function chargesOf(subscriptionId: string): Promise<Stripe.Charge[]> {
  const invoices = await s.stripe.invoices.list({ subscription: subscriptionId, status: "paid", expand: ["data.payments"] });
  const charges: Stripe.Charge[] = [];
  for (const invoice of [...invoices.data].reverse()) {
    const pi = invoice.payments!.data[0]!.payment.payment_intent as string;
    charges.push((await s.stripe.paymentIntents.retrieve(pi, { expand: ["latest_charge"] })).latest_charge as Stripe.Charge);
  }

  return charges;
}

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
    const [, renewal] = await chargesOf(subscription.id);
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

describe("disputes", () => {
  it("opens and closes disputes won and lost, with the funds and the fee moving as on Stripe", async () => {
    const { subscription } = await s.subscribe({ amount: 1000 });
    await s.advanceToRenewal(subscription.id);
    const [first, second] = await chargesOf(subscription.id);

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

describe("customer portal", () => {
  it("creates a session and serves a page whose forms cancel, renew, update the card and cancel now, each with its events", async () => {
    const { subscription } = await s.subscribe({ card: "4000000000000341" });
    const customer = subscription.customer as string;
    const marker = await s.marker();
    const session = await s.stripe.billingPortal.sessions.create({ customer, return_url: "https://paper.example/account" });
    expect(session).toMatchObject({ object: "billing_portal.session", customer, return_url: "https://paper.example/account", livemode: false, flow: null });
    expect(session.id).toMatch(/^bps_/);
    expect(session.url).toBe(`${s.url}/p/session/${session.id}`);
    expect(types(await s.events(marker))).toEqual(["billing_portal.session.created"]);

    const page = await (await fetch(session.url)).text();
    expect(page).toContain("Monthly gift: €10.00 per month");
    expect(page).toContain("Active. Renews on");
    expect(page).toContain('href="https://paper.example/account"');
    expect(page).toMatch(/<label for="card-sub_\w+">New card number<\/label>/);
    for (const label of ["Update card", "Cancel at end of period", "Cancel now"]) expect(page).toContain(`>${label}</button>`);

    const post = (action: string, form: Record<string, string> = {}) =>
      fetch(`${session.url}/subscriptions/${subscription.id}/${action}`, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });

    const step = await s.marker();
    const scheduled = await post("cancel_at_period_end");
    expect(scheduled.status).toBe(303);
    expect(scheduled.headers.get("location")).toBe(`/p/session/${session.id}?done=cancel_at_period_end`);
    expect(await (await fetch(`${s.url}${scheduled.headers.get("location")}`)).text()).toContain("Cancels on");
    expect((await s.events(step))[0]).toMatchObject({ type: "customer.subscription.updated", data: { object: { cancel_at_period_end: true, cancellation_details: { reason: "cancellation_requested" } } } });

    await post("renew");
    expect(await s.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ cancel_at_period_end: false, cancel_at: null });

    // A declined card is refused on the page; a good one replaces the card.
    const refused = await post("update_card", { cardNumber: "4000 0000 0000 0002" });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain('role="alert"');
    const cardMarker = await s.marker();
    expect((await post("update_card", { cardNumber: "5555 5555 5555 4444" })).status).toBe(303);
    expect(types(await s.events(cardMarker))).toEqual(["payment_method.attached", "customer.updated", "customer.subscription.updated"]);
    const card = await s.stripe.paymentMethods.retrieve((await s.stripe.subscriptions.retrieve(subscription.id)).default_payment_method as string);
    expect(card.card).toMatchObject({ brand: "mastercard", last4: "4444" });
    // The new card pays the renewals the old one would have failed.
    const renewal = await s.marker();
    await s.advanceToRenewal(subscription.id);
    expect(types(await s.events(renewal))).toContain("invoice.paid");

    const endMarker = await s.marker();
    expect((await post("cancel_now")).status).toBe(303);
    expect(types(await s.events(endMarker))).toEqual(["customer.subscription.deleted"]);
    const endedPage = await (await fetch(session.url)).text();
    expect(endedPage).toContain("Canceled on");
    expect(endedPage).not.toContain(">Cancel now</button>");
    expect((await fetch(`${s.url}/p/session/bps_missing`)).status).toBe(404);
  });

  it("checks the customer and the flow", async () => {
    await expect(s.stripe.billingPortal.sessions.create({ customer: "cus_missing" })).rejects.toMatchObject({ statusCode: 404 });
    const { subscription } = await s.subscribe();
    const session = await s.stripe.billingPortal.sessions.create({
      customer: subscription.customer as string,
      flow_data: { type: "subscription_cancel", subscription_cancel: { subscription: subscription.id } },
    });
    expect(session.flow).toMatchObject({ type: "subscription_cancel", subscription_cancel: { subscription: subscription.id }, after_completion: { type: "portal_homepage" } });
  });
});

describe("lookups and expansion", () => {
  it("finds an invoice from a payment intent through invoice payments, and expands the paths the app uses", async () => {
    const { subscription, invoiceId } = await s.subscribe();
    const invoice = await s.stripe.invoices.retrieve(invoiceId, { expand: ["payments.data.payment.payment_intent"] });
    const pi = invoice.payments!.data[0]!.payment.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ object: "payment_intent", status: "succeeded" });

    const found = await s.stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: pi.id }, expand: ["data.invoice"] });
    expect(found.data).toHaveLength(1);
    expect(found.data[0]!.invoice).toMatchObject({ id: invoiceId, parent: { subscription_details: { subscription: subscription.id } } });
    expect(await s.stripe.invoicePayments.retrieve(found.data[0]!.id)).toMatchObject({ invoice: invoiceId });
    expect((await s.stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: "pi_other" } })).data).toEqual([]);

    const expanded = await s.stripe.subscriptions.retrieve(subscription.id, {
      expand: ["customer", "latest_invoice.payments", "default_payment_method", "items.data.price.product"],
    });
    expect(expanded.customer).toMatchObject({ object: "customer", email: "reader@example.org" });
    expect(expanded.latest_invoice).toMatchObject({ object: "invoice", id: invoiceId, payments: { data: [{ status: "paid" }] } });
    expect(expanded.default_payment_method).toMatchObject({ object: "payment_method" });
    expect(expanded.items.data[0]!.price.product).toMatchObject({ object: "product", id: PRODUCT });

    const item = await s.stripe.subscriptionItems.retrieve(expanded.items.data[0]!.id);
    expect(item).toMatchObject({ object: "subscription_item", subscription: subscription.id });
    const lines = await s.stripe.invoices.listLineItems(invoiceId);
    expect(lines.data[0]!.id).toMatch(/^il_/);
    expect((await s.stripe.charges.list({ payment_intent: pi.id })).data.map((c) => c.id)).toEqual([pi.latest_charge]);
    expect((await s.stripe.invoices.list({ customer: subscription.customer as string })).data.map((i) => i.id)).toEqual([invoiceId]);

    await expect(s.stripe.subscriptions.retrieve(subscription.id, { expand: ["latest_invoice.payments.data.payment.payment_intent"] })).rejects.toMatchObject({ statusCode: 400 });
    await expect(s.stripe.subscriptions.retrieve(subscription.id, { expand: ["metadata"] })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("creates and updates products and customers", async () => {
    await expect(s.stripe.products.create({ id: PRODUCT, name: "Again" })).rejects.toMatchObject({ statusCode: 400, code: "resource_already_exists" });
    const product = await s.stripe.products.update(PRODUCT, { name: "Monthly gift to the Paper", active: false });
    expect(product).toMatchObject({ id: PRODUCT, name: "Monthly gift to the Paper", active: false });
    const customer = await s.stripe.customers.create({ email: "a@example.org" });
    const marker = await s.marker();
    const updated = await s.stripe.customers.update(customer.id, { name: "A Reader", metadata: { reader: "r1" } });
    expect(updated).toMatchObject({ name: "A Reader", metadata: { reader: "r1" } });
    const [event] = await s.events(marker);
    expect(event).toMatchObject({ type: "customer.updated", data: { previous_attributes: { name: null, metadata: {} } } });
    await expect(s.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: "pm_missing" } })).rejects.toMatchObject({ statusCode: 404 });
  });

  it("replays an idempotent request that was declined", async () => {
    const { subscription } = await s.subscribe({ card: "4000000000000341" });
    await s.advanceToRenewal(subscription.id);
    const [open] = (await s.stripe.invoices.list({ subscription: subscription.id, status: "open" })).data;
    const first = await s.stripe.invoices.pay(open!.id, {}, { idempotencyKey: "pay-once" }).catch((e: Stripe.errors.StripeError) => e);
    const second = await s.stripe.invoices.pay(open!.id, {}, { idempotencyKey: "pay-once" }).catch((e: Stripe.errors.StripeError) => e);
    expect(first).toMatchObject({ statusCode: 402, code: "card_declined" });
    expect(second).toMatchObject({ statusCode: 402, code: "card_declined", headers: { "idempotent-replayed": "true" } });
    expect(await s.stripe.invoices.retrieve(open!.id)).toMatchObject({ attempt_count: 2 });
  });
});
