import type Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, HOUR, monthsAfter, PRODUCT, type StandIn, ofType, only, startStandIn, types } from "../support/stand-in";

let s: StandIn;
beforeEach(async () => {
  s = await startStandIn();
});
afterEach(async () => {
  await s.close();
});

const PAYMENT_SUCCEEDED = ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "invoice.paid", "invoice.payment_succeeded", "invoice_payment.paid", "charge.updated"];
const RENEWAL = ["customer.subscription.updated", "invoice.created", "invoice.finalized", ...PAYMENT_SUCCEEDED];
const FIRST_FAILURE = [
  "invoice.finalized",
  "payment_intent.created",
  "charge.failed",
  "payment_intent.payment_failed",
  "invoice.payment_failed",
  "customer.subscription.updated",
  "invoice.updated",
];
const RETRY_FAILURE = ["charge.failed", "payment_intent.payment_failed", "invoice.payment_failed", "invoice.updated"];

const periodOf = (subscription: Stripe.Subscription) => subscription.items.data[0]!;

describe("Checkout in subscription mode", () => {
  it("creates the customer, charges, then the subscription and its paid first invoice, in Stripe's order and shapes", async () => {
    const marker = await s.marker();
    const { session, subscription, invoiceId } = await s.subscribe({ amount: 1000, metadata: { gift: "g1", campaign: "footer" } });
    const events = await s.events(marker);
    expect(types(events)).toEqual([
      "customer.created",
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "payment_method.attached",
      "customer.subscription.created",
      "invoice.created",
      "invoice.finalized",
      "invoice.paid",
      "invoice.payment_succeeded",
      "invoice_payment.paid",
      "checkout.session.completed",
      "charge.updated",
    ]);
    expect(events.every((e) => e.request?.id === null && e.api_version === "2026-10-28.endive")).toBe(true);

    expect(session).toMatchObject({ mode: "subscription", status: "complete", payment_status: "paid", payment_intent: null, subscription: subscription.id, invoice: invoiceId, amount_total: 1000 });
    expect(session.customer).toMatch(/^cus_/);

    const item = periodOf(subscription);
    expect(subscription).toMatchObject({
      object: "subscription",
      status: "active",
      customer: session.customer,
      metadata: { gift: "g1", campaign: "footer" },
      description: "Monthly gift",
      billing_mode: { type: "flexible" },
      latest_invoice: invoiceId,
      cancel_at_period_end: false,
      collection_method: "charge_automatically",
    });
    expect(subscription.default_payment_method).toMatch(/^pm_/);
    expect(subscription).not.toHaveProperty("current_period_end");
    expect(subscription.id).toMatch(/^sub_/);
    expect(item.id).toMatch(/^si_/);
    expect(item.price).toMatchObject({ unit_amount: 1000, currency: "eur", product: PRODUCT, recurring: { interval: "month", interval_count: 1 }, type: "recurring" });
    expect(subscription.billing_cycle_anchor).toBe(item.current_period_start);
    expect(item.current_period_end).toBe(monthsAfter(item.current_period_start, 1));

    const invoice = await s.stripe.invoices.retrieve(invoiceId);
    expect(invoice).toMatchObject({
      id: invoiceId,
      status: "paid",
      billing_reason: "subscription_create",
      amount_due: 1000,
      amount_paid: 1000,
      amount_remaining: 0,
      attempt_count: 1,
      attempted: true,
      customer: session.customer,
      customer_email: "reader@example.org",
      parent: { type: "subscription_details", subscription_details: { subscription: subscription.id, metadata: { gift: "g1", campaign: "footer" } } },
    });
    expect(invoice.status_transitions.paid_at).toBe(item.current_period_start);
    expect(invoice.hosted_invoice_url).toBe(`${s.url}/i/${invoiceId}`);
    expect(invoice.number).toMatch(/^[A-Z0-9]{8}-0001$/);
    for (const removed of ["subscription", "payment_intent", "charge", "paid", "payments"]) expect(invoice).not.toHaveProperty(removed);
    const line = invoice.lines.data[0]!;
    expect(line).toMatchObject({
      amount: 1000,
      period: { start: item.current_period_start, end: item.current_period_end },
      pricing: { type: "price_details", price_details: { price: item.price.id, product: PRODUCT } },
      parent: { type: "subscription_item_details", subscription_item_details: { subscription: subscription.id, subscription_item: item.id, proration: false } },
    });

    // The PaymentIntent carries no metadata and reaches its invoice only through InvoicePayment.
    const payments = await s.stripe.invoicePayments.list({ invoice: invoiceId });
    const paymentIntent = await s.stripe.paymentIntents.retrieve(payments.data[0]!.payment.payment_intent as string, { expand: ["latest_charge"] });
    expect(paymentIntent).toMatchObject({ status: "succeeded", amount: 1000, metadata: {}, customer: session.customer, description: "Subscription creation" });
    expect(paymentIntent).not.toHaveProperty("invoice");
    expect(paymentIntent.latest_charge).not.toHaveProperty("invoice");
    expect(payments.data[0]).toMatchObject({ object: "invoice_payment", status: "paid", amount_paid: 1000, is_default: true, payment: { type: "payment_intent" } });
    expect(payments.data[0]!.id).toMatch(/^inpay_/);

    const paymentMethod = await s.stripe.paymentMethods.retrieve(subscription.default_payment_method as string);
    expect(paymentMethod).toMatchObject({ type: "card", customer: session.customer, card: { last4: "4242", brand: "visa" } });
    expect(only(events, "checkout.session.completed").object).toMatchObject({ subscription: subscription.id, invoice: invoiceId, payment_intent: null });
  });

  it("shows a recurring amount and a Subscribe button on the hosted page, and pays from a form post", async () => {
    const session = await s.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 1000, product: PRODUCT, recurring: { interval: "month" } } }],
      success_url: "https://paper.example/thanks?session_id={CHECKOUT_SESSION_ID}",
    });
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain("€10.00 per month");
    expect(page).toContain(">Subscribe</button>");
    const form = new URLSearchParams({ email: "reader@example.org", cardNumber: "4242 4242 4242 4242", cardExpiry: "12 / 34", cardCvc: "123" });
    const paid = await fetch(session.url!, { method: "POST", body: form, redirect: "manual" });
    expect(paid.status).toBe(303);
    expect((await s.stripe.checkout.sessions.retrieve(session.id)).subscription).toMatch(/^sub_/);
    const quarterly = await s.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 3000, product: PRODUCT, recurring: { interval: "month", interval_count: 3 } } }],
    });
    expect(await (await fetch(quarterly.url!)).text()).toContain("€30.00 every 3 months");
  });

  it("refuses what Stripe refuses in each mode", async () => {
    const recurring = { currency: "eur", unit_amount: 1000, product_data: { name: "Gift" }, recurring: { interval: "month" as const } };
    const oneTime = { currency: "eur", unit_amount: 1000, product_data: { name: "Gift" } };
    const refused = (params: Stripe.Checkout.SessionCreateParams) => expect(s.stripe.checkout.sessions.create(params)).rejects.toMatchObject({ statusCode: 400 });
    await refused({ mode: "subscription", line_items: [{ quantity: 1, price_data: oneTime }] });
    await refused({ mode: "payment", line_items: [{ quantity: 1, price_data: recurring }] });
    await refused({ mode: "subscription", customer_creation: "always", line_items: [{ quantity: 1, price_data: recurring }] });
    await refused({ mode: "subscription", payment_intent_data: { metadata: { a: "1" } }, line_items: [{ quantity: 1, price_data: recurring }] });
    await refused({ mode: "payment", subscription_data: { metadata: { a: "1" } }, line_items: [{ quantity: 1, price_data: oneTime }] });
    await refused({ mode: "subscription", line_items: [{ quantity: 1, price_data: { ...recurring, recurring: { interval: "month", interval_count: 37 } } }] });
    // endive takes submit_type in subscription mode too (SDK 23.1.0).
    const donate = await s.stripe.checkout.sessions.create({ mode: "subscription", submit_type: "donate", line_items: [{ quantity: 1, price_data: recurring }] });
    expect(await (await fetch(donate.url!)).text()).toContain(">Donate</button>");
  });

  it("keeps a declined first payment in the open session, creating no subscription", async () => {
    const session = await s.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 1000, product: PRODUCT, recurring: { interval: "month" } } }],
    });
    const marker = await s.marker();
    const declined = await s.control<{ outcome: string }>(`/_sandbox/checkout/sessions/${session.id}/pay`, { email: "r@example.org", card: "4000000000000002" });
    expect(declined.outcome).toBe("declined");
    expect(types(await s.events(marker))).toEqual(["payment_intent.created", "charge.failed", "payment_intent.payment_failed"]);
    expect(await s.stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: "open", subscription: null, payment_intent: null });
    expect((await s.stripe.subscriptions.list()).data).toHaveLength(0);
  });
});

describe("the clock's billing cycle", () => {
  it("renews at the period end: period moves on, draft invoice, finalized and charged an hour later, each event dated at its step", async () => {
    const { subscription } = await s.subscribe({ amount: 1000 });
    const item = periodOf(subscription);
    const periodEnd = item.current_period_end;
    const marker = await s.marker();
    await s.advanceTo(periodEnd + HOUR);
    const events = await s.events(marker);
    expect(types(events)).toEqual(RENEWAL);
    expect(events.slice(0, 2).every((e) => e.created === periodEnd)).toBe(true);
    expect(events.slice(2).every((e) => e.created === periodEnd + HOUR)).toBe(true);
    expect(events.every((e) => e.request?.id === null && e.request?.idempotency_key === null)).toBe(true);

    const updated = only<Stripe.Subscription>(events, "customer.subscription.updated");
    const previous = updated.event.data.previous_attributes as { items: Stripe.ApiList<Stripe.SubscriptionItem>; latest_invoice: string };
    expect(previous.items.data[0]).toMatchObject({ current_period_start: item.current_period_start, current_period_end: periodEnd });
    expect(periodOf(updated.object).current_period_start).toBe(periodEnd);
    const created = only<Stripe.Invoice>(events, "invoice.created").object;
    expect(created).toMatchObject({
      status: "draft",
      billing_reason: "subscription_cycle",
      automatically_finalizes_at: periodEnd + HOUR,
      period_start: item.current_period_start,
      period_end: periodEnd,
    });
    expect(updated.object.latest_invoice).toBe(created.id);
    const paid = only<Stripe.Invoice>(events, "invoice.paid").object;
    expect(paid).toMatchObject({ id: created.id, status: "paid", amount_paid: 1000, attempt_count: 1 });
    expect(paid.number).toMatch(/-0002$/);
    expect(paid.lines.data[0]!.period).toEqual({ start: periodEnd, end: periodOf(updated.object).current_period_end });
    expect(paid.status_transitions.paid_at).toBe(periodEnd + HOUR);

    // Its own PaymentIntent, Charge, InvoicePayment and balance transaction with Stripe's fee.
    const pi = only<Stripe.PaymentIntent>(events, "payment_intent.succeeded").object;
    expect(pi).toMatchObject({ amount: 1000, metadata: {}, description: "Subscription update", customer: subscription.customer });
    const [payment] = (await s.stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: pi.id } })).data;
    expect(payment).toMatchObject({ invoice: created.id, status: "paid", amount_paid: 1000 });
    const charge = await s.stripe.charges.retrieve(pi.latest_charge as string, { expand: ["balance_transaction"] });
    expect(charge.balance_transaction).toMatchObject({ amount: 1000, fee: 40, net: 960, type: "charge" });
  });

  it("runs three renewals when the clock moves three months at once, in order, each at its own time, counted from the anchor", async () => {
    const { subscription } = await s.subscribe({ amount: 1000 });
    const anchor = subscription.billing_cycle_anchor;
    const marker = await s.marker();
    await s.advanceTo(monthsAfter(anchor, 3) + HOUR);
    const events = await s.events(marker);
    expect(types(events)).toEqual([...RENEWAL, ...RENEWAL, ...RENEWAL]);
    const updates = ofType<Stripe.Subscription>(events, "customer.subscription.updated").map(periodOf);
    for (const [i, item] of updates.entries()) {
      // From the anchor, not from the last period end: 31 Jan, 28 Feb, 31 Mar, 30 Apr.
      const end = monthsAfter(anchor, i + 1);
      expect(item).toMatchObject({ current_period_start: end, current_period_end: monthsAfter(anchor, i + 2) });
      const renewal = events.slice(i * RENEWAL.length, (i + 1) * RENEWAL.length);
      expect(renewal[0]!.created).toBe(end);
      expect(renewal.at(-1)!.created).toBe(end + HOUR);
    }
    const invoices = await s.stripe.invoices.list({ subscription: subscription.id, status: "paid" });
    expect(invoices.data.map((i) => i.billing_reason)).toEqual(["subscription_cycle", "subscription_cycle", "subscription_cycle", "subscription_create"]);
    const periods = invoices.data.map((i) => i.lines.data[0]!.period).reverse();
    for (let i = 1; i < periods.length; i++) expect(periods[i]!.start).toBe(periods[i - 1]!.end);
  });

  it("fails a renewal: past due; retried on schedule; recovers when the supporter updates the card", async () => {
    const { subscription } = await s.subscribe({ card: "4000000000000341" });
    const marker = await s.marker();
    const periodEnd = await s.advanceToRenewal(subscription.id);
    const failed = await s.events(marker);
    expect(types(failed)).toEqual(["customer.subscription.updated", "invoice.created", ...FIRST_FAILURE]);
    const failure = only<Stripe.Invoice>(failed, "invoice.payment_failed").object;
    expect(failure).toMatchObject({ status: "open", attempt_count: 1, attempted: true, next_payment_attempt: periodEnd + HOUR + 3 * DAY });
    expect(ofType<Stripe.Subscription>(failed, "customer.subscription.updated").map((x) => x.status)).toEqual(["active", "past_due"]);
    const statusChange = failed.filter((e) => e.type === "customer.subscription.updated")[1]!;
    expect(statusChange.data).toMatchObject({ object: { status: "past_due" }, previous_attributes: { status: "active" } });
    expect(only(failed, "charge.failed").object).toMatchObject({ status: "failed", failure_code: "card_declined" });
    expect(only(failed, "invoice.updated").event.data.previous_attributes).toMatchObject({ attempt_count: 0, attempted: false });

    const beforeUpdate = await s.marker();
    const updated = await s.control<Stripe.Subscription>(`/_sandbox/subscriptions/${subscription.id}/payment_method`, { card: "4242424242424242" });
    expect(updated.status).toBe("active");
    const recovered = await s.events(beforeUpdate);
    expect(types(recovered)).toEqual([
      "payment_method.attached",
      "customer.updated",
      "customer.subscription.updated",
      "charge.succeeded",
      "payment_intent.succeeded",
      "invoice.paid",
      "invoice.payment_succeeded",
      "invoice_payment.paid",
      "customer.subscription.updated",
      "charge.updated",
    ]);
    const newMethod = only<Stripe.PaymentMethod>(recovered, "payment_method.attached").object;
    expect(only<Stripe.Customer>(recovered, "customer.updated").object.invoice_settings.default_payment_method).toBe(newMethod.id);
    expect(recovered[2]!.data).toMatchObject({ object: { default_payment_method: newMethod.id }, previous_attributes: { default_payment_method: subscription.default_payment_method } });
    expect(recovered[8]!.data).toMatchObject({ object: { status: "active" }, previous_attributes: { status: "past_due" } });
    expect(only<Stripe.Invoice>(recovered, "invoice.paid").object).toMatchObject({ id: failure.id, attempt_count: 2, next_payment_attempt: null });
    // The retry is a new charge on the invoice's one PaymentIntent.
    expect(ofType<Stripe.Charge>(recovered, "charge.succeeded")[0]!.payment_intent).toBe(only<Stripe.Charge>(failed, "charge.failed").object.payment_intent);
  });

  it("fails every attempt (3, 5 and 7 days apart) until the subscription is canceled for payment_failed", async () => {
    const { subscription } = await s.subscribe({ card: "4000000000000341" });
    const firstAttempt = periodOf(subscription).current_period_end + HOUR;
    const marker = await s.marker();
    await s.advanceToRenewal(subscription.id);
    await s.advanceTo(firstAttempt + 15 * DAY);
    const events = await s.events(marker);
    expect(types(events)).toEqual([
      "customer.subscription.updated",
      "invoice.created",
      ...FIRST_FAILURE,
      ...RETRY_FAILURE,
      ...RETRY_FAILURE,
      ...RETRY_FAILURE,
      "invoice.marked_uncollectible",
      "customer.subscription.deleted",
    ]);
    const failures = events.filter((e) => e.type === "invoice.payment_failed");
    expect(failures.map((e) => (e.data.object as Stripe.Invoice).attempt_count)).toEqual([1, 2, 3, 4]);
    expect(failures.map((e) => e.created)).toEqual([firstAttempt, firstAttempt + 3 * DAY, firstAttempt + 8 * DAY, firstAttempt + 15 * DAY]);
    expect(failures.map((e) => (e.data.object as Stripe.Invoice).next_payment_attempt)).toEqual([
      firstAttempt + 3 * DAY,
      firstAttempt + 8 * DAY,
      firstAttempt + 15 * DAY,
      null,
    ]);
    expect(only(events, "invoice.marked_uncollectible").object).toMatchObject({ status: "uncollectible" });
    const deleted = only<Stripe.Subscription>(events, "customer.subscription.deleted");
    expect(deleted.object).toMatchObject({ status: "canceled", ended_at: firstAttempt + 15 * DAY, cancellation_details: { reason: "payment_failed" } });
    expect(deleted.event.created).toBe(firstAttempt + 15 * DAY);
    // Nothing more happens to a canceled subscription.
    const after = await s.marker();
    await s.advance(62 * DAY);
    expect(await s.events(after)).toEqual([]);
  });

  it("follows next_renewal: fail until told to succeed, then the next retry pays", async () => {
    const { subscription } = await s.subscribe();
    await s.control(`/_sandbox/subscriptions/${subscription.id}/next_renewal`, { outcome: "fail" });
    await s.advanceToRenewal(subscription.id);
    await s.advanceToRetry(subscription.id);
    expect((await s.stripe.subscriptions.retrieve(subscription.id)).status).toBe("past_due");
    const [open] = (await s.stripe.invoices.list({ subscription: subscription.id, status: "open" })).data;
    expect(open).toMatchObject({ attempt_count: 2 });
    const answered = await s.control<Stripe.Subscription>(`/_sandbox/subscriptions/${subscription.id}/next_renewal`, { outcome: "succeed" });
    expect(answered.id).toBe(subscription.id);
    const marker = await s.marker();
    await s.advanceToRetry(subscription.id);
    expect(types(await s.events(marker))).toEqual([...PAYMENT_SUCCEEDED.slice(1, 6), "customer.subscription.updated", "charge.updated"]);
    expect(await s.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "active" });
    const { status } = await s.call("POST", `/_sandbox/subscriptions/${subscription.id}/next_renewal`, { outcome: "maybe" });
    expect(status).toBe(400);
  });

  it("asks for authentication on every renewal with 4000 0027 6000 3184; the supporter completes it on the hosted invoice page", async () => {
    const { subscription } = await s.subscribe({ card: "4000002760003184", authentication: "complete" });
    const marker = await s.marker();
    await s.advanceToRenewal(subscription.id);
    const events = await s.events(marker);
    expect(types(events)).toEqual([
      "customer.subscription.updated",
      "invoice.created",
      "invoice.finalized",
      "payment_intent.created",
      "payment_intent.requires_action",
      "invoice.payment_action_required",
      "customer.subscription.updated",
      "invoice.updated",
    ]);
    const invoice = only<Stripe.Invoice>(events, "invoice.payment_action_required").object;
    expect(only<Stripe.PaymentIntent>(events, "payment_intent.requires_action").object).toMatchObject({ status: "requires_action", next_action: { type: "use_stripe_sdk" } });
    expect(await s.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "past_due" });

    const page = await (await fetch(invoice.hosted_invoice_url!)).text();
    expect(page).toContain("Complete authentication");
    const paid = await s.control<{ outcome: string; invoice: Stripe.Invoice }>(`/_sandbox/invoices/${invoice.id}/pay`, { authentication: "complete" });
    expect(paid).toMatchObject({ outcome: "succeeded", invoice: { status: "paid" } });
    expect(await s.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "active" });
    expect((await fetch(invoice.hosted_invoice_url!).then((r) => r.text()))).toContain("Paid on");
  });

  it("pays an open invoice through POST /v1/invoices/:id/pay, and answers 402 when the card declines", async () => {
    const { subscription } = await s.subscribe({ card: "4000000000000341" });
    await s.advanceToRenewal(subscription.id);
    const [open] = (await s.stripe.invoices.list({ subscription: subscription.id, status: "open" })).data;
    await expect(s.stripe.invoices.pay(open!.id)).rejects.toMatchObject({ statusCode: 402, type: "StripeCardError", code: "card_declined" });
    await s.control(`/_sandbox/subscriptions/${subscription.id}/next_renewal`, { outcome: "succeed" });
    const paid = await s.stripe.invoices.pay(open!.id);
    expect(paid).toMatchObject({ status: "paid", attempt_count: 3 });
    await expect(s.stripe.invoices.pay(open!.id)).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe("cancelling", () => {
  it("cancels at period end: still active and scheduled, then deleted when the period ends, with no invoice", async () => {
    const { subscription } = await s.subscribe();
    const periodEnd = periodOf(subscription).current_period_end;
    const marker = await s.marker();
    const updated = await s.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true, cancellation_details: { comment: "moving abroad" } });
    expect(updated).toMatchObject({ status: "active", cancel_at_period_end: true, cancel_at: periodEnd, cancellation_details: { reason: "cancellation_requested", comment: "moving abroad" } });
    const [event] = await s.events(marker);
    expect(event).toMatchObject({
      type: "customer.subscription.updated",
      request: { id: updated.lastResponse.requestId },
      data: { previous_attributes: { cancel_at: null, cancel_at_period_end: false, canceled_at: null, cancellation_details: { reason: null } } },
    });
    expect((event!.data.object as Stripe.Subscription).canceled_at).toBe(event!.created);

    const atEnd = await s.marker();
    // Past the hour in which a renewal would have been charged.
    await s.advanceTo(periodEnd + HOUR);
    const ended = await s.events(atEnd);
    expect(types(ended)).toEqual(["customer.subscription.deleted"]);
    expect(ended[0]!.created).toBe(periodEnd);
    expect(ended[0]!.data.object).toMatchObject({ status: "canceled", ended_at: periodEnd, canceled_at: event!.created, cancellation_details: { reason: "cancellation_requested" } });
    expect((await s.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
  });

  it("renews before the end: cancellation cleared, then the period renews and is paid", async () => {
    const { subscription } = await s.subscribe();
    await s.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    const marker = await s.marker();
    const renewed = await s.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false });
    expect(renewed).toMatchObject({ cancel_at_period_end: false, cancel_at: null, canceled_at: null, cancellation_details: { reason: null } });
    const [event] = await s.events(marker);
    expect(event).toMatchObject({ type: "customer.subscription.updated", data: { previous_attributes: { cancel_at_period_end: true, cancellation_details: { reason: "cancellation_requested" } } } });
    const afterRenew = await s.marker();
    await s.advanceToRenewal(subscription.id);
    expect(types(await s.events(afterRenew))).toEqual(RENEWAL);
  });

  it("cancels now with DELETE: customer.subscription.deleted at once, nothing after", async () => {
    const { subscription } = await s.subscribe();
    const marker = await s.marker();
    const canceled = await s.stripe.subscriptions.cancel(subscription.id, { cancellation_details: { feedback: "too_expensive" } });
    expect(canceled).toMatchObject({ status: "canceled", cancellation_details: { reason: "cancellation_requested", feedback: "too_expensive" } });
    const events = await s.events(marker);
    expect(types(events)).toEqual(["customer.subscription.deleted"]);
    expect(events[0]!.request?.id).toBe(canceled.lastResponse.requestId);
    expect(canceled.ended_at).toBe(events[0]!.created);
    await s.advance(62 * DAY);
    expect(types(await s.events(marker))).toEqual(["customer.subscription.deleted"]);
    await expect(s.stripe.subscriptions.cancel(subscription.id)).rejects.toMatchObject({ statusCode: 400 });
    await expect(s.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true })).rejects.toMatchObject({ statusCode: 400 });
    expect((await s.stripe.subscriptions.list({ customer: subscription.customer as string })).data).toHaveLength(0);
    expect((await s.stripe.subscriptions.list({ status: "canceled" })).data.map((x) => x.id)).toEqual([subscription.id]);
  });

  it("cancels at a given time, and clears it with an empty cancel_at", async () => {
    const { subscription } = await s.subscribe();
    const at = (await s.now()) + 10 * DAY;
    expect(await s.stripe.subscriptions.update(subscription.id, { cancel_at: at })).toMatchObject({ cancel_at: at, cancel_at_period_end: false });
    expect(await s.stripe.subscriptions.update(subscription.id, { cancel_at: "" as unknown as number })).toMatchObject({ cancel_at: null });
    await s.stripe.subscriptions.update(subscription.id, { cancel_at: at });
    const marker = await s.marker();
    await s.advanceTo(at);
    const [ended] = await s.events(marker);
    expect(ended).toMatchObject({ type: "customer.subscription.deleted", created: at, data: { object: { ended_at: at } } });
  });
});

describe("pausing and changing", () => {
  it("pauses collection (void): the renewal's invoice is voided, nothing charged; resuming brings charges back", async () => {
    const { subscription } = await s.subscribe();
    const paused = await s.stripe.subscriptions.update(subscription.id, { pause_collection: { behavior: "void" } });
    expect(paused).toMatchObject({ status: "active", pause_collection: { behavior: "void", resumes_at: null } });
    const marker = await s.marker();
    await s.advanceToRenewal(subscription.id);
    const whilePaused = await s.events(marker);
    expect(types(whilePaused)).toEqual(["customer.subscription.updated", "invoice.created", "invoice.voided"]);
    expect(only(whilePaused, "invoice.voided").object).toMatchObject({ status: "void", billing_reason: "subscription_cycle", amount_paid: 0 });
    expect(await s.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "active", pause_collection: { behavior: "void" } });

    const resumeMarker = await s.marker();
    const resumed = await s.stripe.subscriptions.update(subscription.id, { pause_collection: "" });
    expect(resumed.pause_collection).toBeNull();
    const [event] = await s.events(resumeMarker);
    expect(event).toMatchObject({ type: "customer.subscription.updated", data: { previous_attributes: { pause_collection: { behavior: "void" } } } });
    await s.advanceToRenewal(subscription.id);
    expect(types(await s.events(resumeMarker)).slice(1)).toEqual(RENEWAL);
  });

  it("resumes by itself at resumes_at", async () => {
    const { subscription } = await s.subscribe();
    // Ten days into the next period: after one renewal, whatever the month's length.
    const resumesAt = periodOf(subscription).current_period_end + 10 * DAY;
    await s.stripe.subscriptions.update(subscription.id, { pause_collection: { behavior: "void", resumes_at: resumesAt } });
    const marker = await s.marker();
    await s.advanceTo(resumesAt);
    const events = await s.events(marker);
    expect(types(events)).toEqual(["customer.subscription.updated", "invoice.created", "invoice.voided", "customer.subscription.updated"]);
    expect(events[3]).toMatchObject({ created: resumesAt, data: { object: { pause_collection: null } } });
  });

  it("changes the amount with proration_behavior=none: a new price on the same product, charged from the next renewal", async () => {
    const { subscription } = await s.subscribe({ amount: 1000 });
    const item = periodOf(subscription);
    const marker = await s.marker();
    const updated = await s.stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price_data: { currency: "eur", product: PRODUCT, unit_amount: 1500, recurring: { interval: "month" } } }],
      proration_behavior: "none",
    });
    const newItem = periodOf(updated);
    expect(newItem).toMatchObject({ id: item.id, price: { unit_amount: 1500, product: PRODUCT }, current_period_end: item.current_period_end });
    expect(newItem.price.id).not.toBe(item.price.id);
    const events = await s.events(marker);
    expect(types(events)).toEqual(["customer.subscription.updated"]);
    const previous = events[0]!.data.previous_attributes as { items: Stripe.ApiList<Stripe.SubscriptionItem> };
    expect(previous.items.data[0]!.price.unit_amount).toBe(1000);

    await s.advanceToRenewal(subscription.id);
    const renewal = await s.events(events[0]!.id);
    expect(types(renewal)).toEqual(RENEWAL);
    expect(only(renewal, "invoice.paid").object).toMatchObject({ amount_paid: 1500, billing_reason: "subscription_cycle" });
  });

  it("changes the amount with create_prorations: invoice items now, billed with the next renewal", async () => {
    const { subscription } = await s.subscribe({ amount: 1000 });
    const item = periodOf(subscription);
    const marker = await s.marker();
    await s.advance(Math.floor((item.current_period_end - item.current_period_start) / 2));
    await s.stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price_data: { currency: "eur", product: PRODUCT, unit_amount: 2000, recurring: { interval: "month" } } }],
    });
    const events = await s.events(marker);
    expect(types(events)).toEqual(["customer.subscription.updated", "invoiceitem.created", "invoiceitem.created"]);
    const [credit, debit] = ofType<Stripe.InvoiceItem>(events, "invoiceitem.created");
    expect(credit!.amount).toBeLessThan(0);
    expect(debit!.amount).toBeGreaterThan(0);
    expect(credit).toMatchObject({ proration: true, parent: { subscription_details: { subscription: subscription.id } } });
    await s.advanceToRenewal(subscription.id);
    const paid = ofType<Stripe.Invoice>(await s.events(marker), "invoice.paid")[0]!;
    expect(paid.lines.data.map((l) => l.amount)).toEqual([2000, credit!.amount, debit!.amount]);
    expect(paid.amount_paid).toBe(2000 + credit!.amount + debit!.amount);
  });

  it("changes monthly to yearly: the cycle restarts now and the new amount is invoiced at once", async () => {
    const { subscription } = await s.subscribe({ amount: 1000 });
    await s.stripe.products.create({ id: "gift_yearly", name: "Annual gift" });
    const item = periodOf(subscription);
    const marker = await s.marker();
    const updated = await s.stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price_data: { currency: "eur", product: "gift_yearly", unit_amount: 10000, recurring: { interval: "year" } } }],
      proration_behavior: "none",
    });
    const events = await s.events(marker);
    expect(types(events)).toEqual(["customer.subscription.updated", "invoice.created", "invoice.finalized", ...PAYMENT_SUCCEEDED]);
    const now = events[0]!.created;
    const yearly = periodOf(updated);
    expect(updated.billing_cycle_anchor).toBe(now);
    expect(yearly).toMatchObject({ current_period_start: now, price: { recurring: { interval: "year" }, product: "gift_yearly" } });
    expect(yearly.current_period_end).toBe(monthsAfter(now, 12));
    expect(events[0]!.request?.id).toBe(updated.lastResponse.requestId);
    const invoice = only<Stripe.Invoice>(events, "invoice.paid").object;
    expect(invoice).toMatchObject({ billing_reason: "subscription_update", amount_paid: 10000, lines: { data: [{ period: { start: now, end: yearly.current_period_end } }] } });
    expect(updated.latest_invoice).toBe(invoice.id);
    // Nothing until the year is up, then a yearly renewal.
    const next = await s.marker();
    await s.advanceTo(yearly.current_period_end - 1);
    expect(await s.events(next)).toEqual([]);
    await s.advanceToRenewal(subscription.id);
    const renewal = await s.events(next);
    expect(types(renewal)).toEqual(RENEWAL);
    expect(periodOf(only<Stripe.Subscription>(renewal, "customer.subscription.updated").object)).toMatchObject({
      current_period_start: yearly.current_period_end,
      current_period_end: monthsAfter(now, 24),
    });
    expect(only(renewal, "invoice.paid").object).toMatchObject({ amount_paid: 10000, billing_reason: "subscription_cycle" });
  });

  it("changes monthly to yearly with create_prorations: the unused month is credited on the same invoice", async () => {
    const { subscription } = await s.subscribe({ amount: 1000 });
    const item = periodOf(subscription);
    await s.advance(Math.floor((item.current_period_end - item.current_period_start) / 2));
    const updated = await s.stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price_data: { currency: "eur", product: PRODUCT, unit_amount: 10000, recurring: { interval: "year" } } }],
      proration_behavior: "create_prorations",
    });
    const invoice = await s.stripe.invoices.retrieve(updated.latest_invoice as string);
    expect(invoice.lines.data[0]!.amount).toBe(10000);
    expect(invoice.lines.data[1]).toMatchObject({ amount: -500, parent: { type: "invoice_item_details", invoice_item_details: { proration: true } } });
    expect(invoice).toMatchObject({ status: "paid", amount_paid: 9500 });
  });

  it("updates metadata (empty value removes a key) and refuses an item it does not have", async () => {
    const { subscription } = await s.subscribe({ metadata: { gift: "g1", campaign: "footer" } });
    const updated = await s.stripe.subscriptions.update(subscription.id, { metadata: { campaign: "", source: "email" } });
    expect(updated.metadata).toEqual({ gift: "g1", source: "email" });
    await expect(
      s.stripe.subscriptions.update(subscription.id, { items: [{ id: "si_missing", price_data: { currency: "eur", product: PRODUCT, unit_amount: 1, recurring: { interval: "month" } } }] }),
    ).rejects.toMatchObject({ statusCode: 404, code: "resource_missing" });
    await expect(
      s.stripe.subscriptions.update(subscription.id, {
        items: [{ id: periodOf(subscription).id, price_data: { currency: "usd", product: PRODUCT, unit_amount: 1500, recurring: { interval: "month" } } }],
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
