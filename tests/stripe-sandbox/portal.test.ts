import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type StandIn, startStandIn, types } from "../support/stand-in";

let s: StandIn;
beforeEach(async () => {
  s = await startStandIn();
});
afterEach(async () => {
  await s.close();
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

describe("customer portal: the payment_method_update flow", () => {
  it("asks only for the card, saves it for the customer and the subscription, and goes back to after_completion's return_url", async () => {
    const { subscription } = await s.subscribe({ card: "4000000000000341" });
    const customer = subscription.customer as string;
    const back = "https://paper.example/manage?token=abc&lang=ru";
    const session = await s.stripe.billingPortal.sessions.create({
      customer,
      return_url: back,
      flow_data: { type: "payment_method_update", after_completion: { type: "redirect", redirect: { return_url: back } } },
    });
    expect(session.flow).toMatchObject({ type: "payment_method_update", after_completion: { type: "redirect", redirect: { return_url: back } } });

    const page = await (await fetch(session.url)).text();
    expect(page).toContain("<h1>Update your payment method</h1>");
    expect(page).toContain('<label for="cardNumber">Card number</label>');
    expect(page).not.toContain("Cancel now");
    const post = (cardNumber: string) =>
      fetch(`${session.url}/payment_method`, { method: "POST", body: new URLSearchParams({ cardNumber }), redirect: "manual" });

    const refused = await post("4000 0000 0000 0002");
    expect(refused.status).toBe(200);
    expect(await refused.text()).toMatch(/role="alert"/);

    const marker = await s.marker();
    const saved = await post("4242 4242 4242 4242");
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(back);
    const events = await s.events(marker);
    expect(types(events)).toEqual(["payment_method.attached", "customer.updated", "customer.subscription.updated"]);
    const updated = events.find((e) => e.type === "customer.subscription.updated")!;
    expect(updated.data.previous_attributes).toHaveProperty("default_payment_method");
    const after = await s.stripe.subscriptions.retrieve(subscription.id, { expand: ["customer"] });
    expect(after.default_payment_method).not.toBe(subscription.default_payment_method);
    expect((after.customer as { invoice_settings: { default_payment_method: string } }).invoice_settings.default_payment_method).toBe(after.default_payment_method);

    // A session without the flow has no such form.
    const plain = await s.stripe.billingPortal.sessions.create({ customer });
    expect((await fetch(`${plain.url}/payment_method`, { method: "POST", body: new URLSearchParams({ cardNumber: "4242424242424242" }) })).status).toBe(404);
  });
});
