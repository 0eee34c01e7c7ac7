import type Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PRODUCT, type StandIn, startStandIn } from "../support/stand-in";

let s: StandIn;
beforeEach(async () => {
  s = await startStandIn();
});
afterEach(async () => {
  await s.close();
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

describe("request counts", () => {
  it("counts the API's reads and writes, refused ones too, and not the control API's", async () => {
    const before = (await s.call<{ reads: number; writes: number }>("GET", "/_sandbox/requests")).body;
    const customer = await s.stripe.customers.create({ email: "counted@example.org" });
    await s.stripe.customers.retrieve(customer.id);
    await s.stripe.customers.retrieve(customer.id);
    await expect(s.stripe.customers.retrieve("cus_missing")).rejects.toThrow(/No such customer/);
    await s.call("GET", "/_sandbox/clock");
    const after = (await s.call<{ reads: number; writes: number }>("GET", "/_sandbox/requests")).body;
    expect({ reads: after.reads - before.reads, writes: after.writes - before.writes }).toEqual({ reads: 3, writes: 1 });
  });

  it("refuses what passes Stripe's rate limit with a 429 rate_limit, doing none of it, and counts the refusals", async () => {
    const customer = await s.stripe.customers.create({ email: "limited@example.org" });
    type Counts = { reads: number; writes: number; rate_limited: number; peak_per_second: number };
    const before = (await s.call<Counts>("GET", "/_sandbox/requests")).body;
    await s.control("/_sandbox/config", { rate_limit_per_second: 3 });
    try {
      // Twenty at once: far more than three arrive within the same second.
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          s.stripe.customers.update(customer.id, { metadata: { [`n${i}`]: "1" } }).then(
            () => "done",
            (error: Stripe.errors.StripeError) => `${error.statusCode} ${error.code}`,
          ),
        ),
      );
      const done = outcomes.filter((o) => o === "done").length;
      // The second before them may hold requests of its own (the customer's creation): three at most.
      expect(done).toBeGreaterThanOrEqual(1);
      expect(done).toBeLessThanOrEqual(3);
      expect(outcomes.filter((o) => o !== "done").every((o) => o === "429 rate_limit")).toBe(true);
      const after = (await s.call<Counts>("GET", "/_sandbox/requests")).body;
      expect(after.rate_limited - before.rate_limited).toBe(20 - done);
      expect(after.peak_per_second).toBeLessThanOrEqual(Math.max(before.peak_per_second, 3));
      // What was refused was not done.
      await s.control("/_sandbox/config", { rate_limit_per_second: 0 });
      const updated = (await s.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
      expect(Object.keys(updated.metadata)).toHaveLength(done);
    } finally {
      await s.control("/_sandbox/config", { rate_limit_per_second: 0 });
    }
  });
});
