import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, type StandIn, startStandIn } from "../support/stand-in";

let s: StandIn;
beforeEach(async () => {
  s = await startStandIn();
});
afterEach(async () => {
  await s.close();
});

describe("lists by creation time, paged (what reconciliation reads)", () => {
  it("filters Checkout Sessions, charges, subscriptions and events by created, and auto-pages through them, newest first", async () => {
    const first = await s.subscribe({ amount: 1000 });
    await s.advance(2 * DAY);
    const boundary = await s.now();
    const second = await s.subscribe({ amount: 1500 });
    const third = await s.subscribe({ amount: 2000 });

    const since = { created: { gte: boundary } };
    const sessions = await s.stripe.checkout.sessions.list({ ...since, limit: 1 }).autoPagingToArray({ limit: 100 });
    expect(sessions.map((x) => x.id)).toEqual([third.session.id, second.session.id]);
    const before = await s.stripe.checkout.sessions.list({ created: { lt: boundary } });
    expect(before.data.map((x) => x.id)).toEqual([first.session.id]);
    expect(before.has_more).toBe(false);

    const subscriptions = await s.stripe.subscriptions.list({ ...since, status: "all", limit: 1 }).autoPagingToArray({ limit: 100 });
    expect(subscriptions.map((x) => x.id)).toEqual([third.subscription.id, second.subscription.id]);
    const charges = await s.stripe.charges.list({ ...since, limit: 1 }).autoPagingToArray({ limit: 100 });
    expect(charges.map((c) => c.amount)).toEqual([2000, 1500]);
    expect((await s.stripe.charges.list({ created: { lt: boundary } })).data.map((c) => c.amount)).toEqual([1000]);

    // Events: one type, a wildcard or a list of types, in the period, page after page.
    const completed = await s.stripe.events.list({ type: "checkout.session.completed", ...since, limit: 1 }).autoPagingToArray({ limit: 100 });
    expect(completed.map((e) => (e.data.object as { id: string }).id)).toEqual([third.session.id, second.session.id]);
    const subscriptionEvents = await s.stripe.events.list({ type: "customer.subscription.*", ...since }).autoPagingToArray({ limit: 100 });
    expect(subscriptionEvents.length).toBeGreaterThanOrEqual(2);
    expect(subscriptionEvents.every((e) => e.type.startsWith("customer.subscription."))).toBe(true);
    const paid = await s.stripe.events.list({ types: ["invoice.paid", "checkout.session.completed"], ...since }).autoPagingToArray({ limit: 100 });
    expect(new Set(paid.map((e) => e.type))).toEqual(new Set(["invoice.paid", "checkout.session.completed"]));
    expect(paid.every((e) => e.created >= boundary)).toBe(true);
  });

  it("refunds and disputes filter by created too, and a limit outside 1–100 is refused as Stripe refuses it", async () => {
    const { subscription } = await s.subscribe();
    const [charge] = (await s.stripe.charges.list({ customer: subscription.customer as string })).data;
    await s.advance(DAY);
    const boundary = await s.now();
    const refund = await s.stripe.refunds.create({ charge: charge!.id, amount: 100 });
    expect((await s.stripe.refunds.list({ created: { gte: boundary } })).data.map((r) => r.id)).toEqual([refund.id]);
    expect((await s.stripe.refunds.list({ created: { lt: boundary } })).data).toEqual([]);
    expect((await s.stripe.disputes.list({ created: { gte: boundary } })).data).toEqual([]);
    await expect(s.stripe.charges.list({ limit: 101 })).rejects.toMatchObject({ param: "limit" });
    await expect(s.stripe.events.list({ type: "charge.updated", types: ["charge.refunded"] })).rejects.toMatchObject({ param: "types" });
  });
});
