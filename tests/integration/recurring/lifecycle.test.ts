import type Stripe from "stripe";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { paymentBalances } from "@/db/queries/payment-balances";
import { useTestDatabase } from "../../support/database";
import { ensureGiftProducts, GIFT_PRODUCTS, giveOnce, startRecurringGift as startGift } from "../../support/gifts";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { clearLedger, drainUntilSettled, type LedgerSnapshot, ledgerSnapshot, makePendingDue } from "../../support/ledger";
import {
  advanceAPeriod,
  advanceThroughRetries,
  advanceToPeriodEnd,
  advanceToRenewal,
  advanceToRetry,
  control,
  deliver,
  deliveryOrders,
  eventsAfter,
  lastEventId,
  sandboxStripe,
  usePrivateSandbox,
} from "../../support/stripe";

// This file moves the stand-in's clock by months, so it has a stand-in of its own.
usePrivateSandbox();
const database = useTestDatabase();

const DAY = 24 * 3600;
const PRODUCTS = GIFT_PRODUCTS;
// What the app stamps on a gift from an article, in Russian.
const ARTICLE = { locale: "ru", article_url: "https://news.example/investigation", campaign: "footer" };
const startRecurringGift = (options: Parameters<typeof startGift>[0] = {}) => startGift({ ...options, metadata: { ...ARTICLE, ...options.metadata } });

/** The charge of each paid invoice of a subscription, oldest first. */
async function paidCharges(subscriptionId: string): Promise<Stripe.Charge[]> {
  const stripe = sandboxStripe();
  const invoices = await stripe.invoices.list({ subscription: subscriptionId, status: "paid", limit: 100, expand: ["data.payments"] });
  const charges: Stripe.Charge[] = [];
  for (const invoice of [...invoices.data].sort((a, b) => a.created - b.created)) {
    const payment = invoice.payments?.data.find((p) => p.status === "paid");
    const pi = payment?.payment.payment_intent;
    const intent = await stripe.paymentIntents.retrieve(typeof pi === "string" ? pi : pi!.id, { expand: ["latest_charge"] });
    charges.push(intent.latest_charge as Stripe.Charge);
  }

  return charges;
}

/**
 * Delivers a lifecycle's events in order, reversed, shuffled and shuffled with duplicates, each to
 * an empty ledger; the reversed and shuffled runs apply every event as it arrives, the others in
 * batches. Every run must end with the same ledger, which is returned.
 */
async function sameLedgerInEveryOrder(events: Stripe.Event[], seed = 11): Promise<LedgerSnapshot> {
  let first: { name: string; ledger: LedgerSnapshot } | null = null;
  for (const order of deliveryOrders(events, seed)) {
    await clearLedger();
    const oneByOne = order.name === "reversed" || order.name === "shuffled";
    for (const event of order.events) {
      const [response] = await deliver([event]);
      expect(response!.status).toBe(200);
      // What waits for an event not delivered yet stays pending, and is tried again at each drain.
      if (oneByOne) await makePendingDue().then(() => drainStripeEvents());
    }
    await drainUntilSettled();
    const ledger = await ledgerSnapshot();
    if (first === null) first = { name: order.name, ledger };
    else expect({ order: order.name, ledger }).toEqual({ order: order.name, ledger: first.ledger });
  }

  return first!.ledger;
}

/** Applies the events so far, in order, to an empty ledger (a mid-life check). */
async function ledgerFrom(events: Stripe.Event[]): Promise<LedgerSnapshot> {
  await clearLedger();
  await deliver(events);
  await drainUntilSettled();

  return ledgerSnapshot();
}

/** Each payment's billing reason and amount, in the order they were paid. */
const byReason = (ledger: LedgerSnapshot) =>
  [...ledger.payments]
    .sort((a, b) => a.paidAt.getTime() - b.paidAt.getTime() || Number(b.billingReason === "subscription_create") - Number(a.billingReason === "subscription_create"))
    .map((p) => [p.billingReason, p.amountMinor]);

describe(`recurring gifts on ${database.kind}: the whole life, in any order of delivery`, () => {
  beforeAll(async () => {
    await ensureGiftProducts();
  });

  // The stand-in outlives each test: end what a test started, so the next one's clock moves bill
  // only its own gift.
  afterEach(async () => {
    const stripe = sandboxStripe();
    for await (const subscription of stripe.subscriptions.list({ status: "all", limit: 100 })) {
      if (subscription.status !== "canceled" && subscription.status !== "incomplete_expired") await stripe.subscriptions.cancel(subscription.id);
    }
  });

  it("starts and renews three times: one gift, four payments for consecutive periods, each with fee and net", async () => {
    const { marker, session, subscriptionId } = await startRecurringGift({ amount: 1000, currency: "eur", email: "Monthly@Example.org" });
    for (let i = 0; i < 3; i++) await advanceToRenewal(subscriptionId);
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));

    expect(ledger.supporters).toEqual([{ email: "monthly@example.org", name: null, locale: "ru", discreet: false, wantsReceipts: true, wantsReminders: true, wantsStatements: true }]);
    expect(ledger.recurringGifts).toEqual([
      expect.objectContaining({
        stripeSubscriptionId: subscriptionId,
        stripeCheckoutSessionId: session.id,
        frequency: "monthly",
        interval: "month",
        intervalCount: 1,
        amountMinor: 1000,
        currency: "eur",
        status: "active",
        statusReason: null,
        stripeStatus: "active",
        failedPaymentAttempts: 0,
        articleUrl: "https://news.example/investigation",
        campaign: "footer",
        locale: "ru",
        supporter: "monthly@example.org",
      }),
    ]);
    expect(byReason(ledger)).toEqual([
      ["subscription_create", 1000],
      ["subscription_cycle", 1000],
      ["subscription_cycle", 1000],
      ["subscription_cycle", 1000],
    ]);
    const sorted = [...ledger.payments].sort((a, b) => a.periodStart!.getTime() - b.periodStart!.getTime());
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.periodStart).toEqual(sorted[i - 1]!.periodEnd);
    // Stripe's EEA standard card pricing: 1.5% + €0.25 of €10.00.
    for (const payment of ledger.payments) expect(payment).toMatchObject({ feeMinor: 40, netMinor: 960, recurringGift: subscriptionId, gift: null });
    expect(ledger.recurringGifts[0]!.currentPeriodEnd).toEqual(sorted.at(-1)!.periodEnd);
  });

  it("fails a renewal, then recovers on a retry: past due in between, active after, the failure kept", async () => {
    const { marker, subscriptionId } = await startRecurringGift();
    await control("POST", `/_sandbox/subscriptions/${subscriptionId}/next_renewal`, { outcome: "fail" });
    await advanceToRenewal(subscriptionId);
    const middle = await ledgerFrom(await eventsAfter(marker));
    expect(middle.recurringGifts[0]).toMatchObject({ status: "past_due", statusReason: "payment_failed", failedPaymentAttempts: 1 });
    expect(middle.recurringGifts[0]!.nextPaymentAttemptAt).not.toBeNull();

    await control("POST", `/_sandbox/subscriptions/${subscriptionId}/next_renewal`, { outcome: "succeed" });
    await advanceToRetry(subscriptionId);
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.recurringGifts[0]).toMatchObject({ status: "active", failedPaymentAttempts: 0, nextPaymentAttemptAt: null });
    expect(byReason(ledger)).toEqual([
      ["subscription_create", 1000],
      ["subscription_cycle", 1000],
    ]);
    expect(ledger.paymentFailures).toEqual([expect.objectContaining({ attemptCount: 1, kind: "declined", amountMinor: 1000, recurringGift: subscriptionId })]);
  });

  it("recovers when the supporter updates the card", async () => {
    const { marker, subscriptionId } = await startRecurringGift({ card: "4000000000000341" });
    await advanceToRenewal(subscriptionId);
    await control("POST", `/_sandbox/subscriptions/${subscriptionId}/payment_method`, { card: "4242424242424242" });
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.recurringGifts[0]).toMatchObject({ status: "active", failedPaymentAttempts: 0 });
    expect(byReason(ledger)).toEqual([
      ["subscription_create", 1000],
      ["subscription_cycle", 1000],
    ]);
    expect(ledger.paymentFailures.map((f) => f.attemptCount)).toEqual([1]);
  });

  it("fails every retry until Stripe cancels: ended for payment_failed, every attempt recorded", async () => {
    const { marker, subscriptionId } = await startRecurringGift({ card: "4000000000000341" });
    await advanceToRenewal(subscriptionId);
    await advanceThroughRetries(subscriptionId);
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.recurringGifts[0]).toMatchObject({ status: "ended", statusReason: "payment_failed", stripeStatus: "canceled" });
    expect(ledger.recurringGifts[0]!.endedAt).not.toBeNull();
    expect(byReason(ledger)).toEqual([["subscription_create", 1000]]);
    const attempts = ledger.paymentFailures.map((f) => f.attemptCount);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts).toEqual(attempts.map((_, i) => i + 1));
    expect(ledger.paymentFailures.at(-1)!.nextPaymentAttemptAt).toBeNull();
  });

  it("changes the amount: nothing charged now, the next renewal at the new amount", async () => {
    const { marker, subscriptionId } = await startRecurringGift({ amount: 1000 });
    const stripe = sandboxStripe();
    const subscription = await stripe.subscriptions.retrieve(subscriptionId);
    await stripe.subscriptions.update(subscriptionId, {
      items: [{ id: subscription.items.data[0]!.id, price_data: { currency: "eur", product: PRODUCTS.month, unit_amount: 1500, recurring: { interval: "month" } } }],
      proration_behavior: "none",
    });
    await advanceToRenewal(subscriptionId);
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.recurringGifts[0]).toMatchObject({ amountMinor: 1500, frequency: "monthly", status: "active" });
    expect(byReason(ledger)).toEqual([
      ["subscription_create", 1000],
      ["subscription_cycle", 1500],
    ]);
  });

  it("changes monthly to annual: charged the annual amount at once, annual from then on", async () => {
    const { marker, subscriptionId } = await startRecurringGift({ amount: 1000 });
    const stripe = sandboxStripe();
    const subscription = await stripe.subscriptions.retrieve(subscriptionId);
    await stripe.subscriptions.update(subscriptionId, {
      items: [{ id: subscription.items.data[0]!.id, price_data: { currency: "eur", product: PRODUCTS.year, unit_amount: 10000, recurring: { interval: "year" } } }],
      proration_behavior: "none",
    });
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.recurringGifts[0]).toMatchObject({ amountMinor: 10000, frequency: "annual", interval: "year", status: "active" });
    expect(byReason(ledger)).toEqual([
      ["subscription_create", 1000],
      ["subscription_update", 10000],
    ]);
    const annual = ledger.payments.find((p) => p.billingReason === "subscription_update")!;
    expect(annual.periodEnd!.getTime() - annual.periodStart!.getTime()).toBeGreaterThanOrEqual(365 * DAY * 1000);
  });

  it("pauses (no payment while paused) and resumes (paid again)", async () => {
    const { marker, subscriptionId } = await startRecurringGift();
    const stripe = sandboxStripe();
    await stripe.subscriptions.update(subscriptionId, { pause_collection: { behavior: "void" } });
    await advanceToRenewal(subscriptionId);
    const paused = await ledgerFrom(await eventsAfter(marker));
    expect(paused.recurringGifts[0]).toMatchObject({ status: "paused", statusReason: "collection_paused" });
    expect(paused.payments).toHaveLength(1);

    await stripe.subscriptions.update(subscriptionId, { pause_collection: "" });
    await advanceToRenewal(subscriptionId);
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.recurringGifts[0]).toMatchObject({ status: "active", statusReason: null, pausedUntil: null });
    expect(byReason(ledger)).toEqual([
      ["subscription_create", 1000],
      ["subscription_cycle", 1000],
    ]);
  });

  it("cancels at period end, then renews before the end: cancelling in between, active and paid after", async () => {
    const { marker, subscriptionId } = await startRecurringGift();
    const stripe = sandboxStripe();
    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    const cancelling = await ledgerFrom(await eventsAfter(marker));
    expect(cancelling.recurringGifts[0]).toMatchObject({ status: "cancelling", statusReason: "cancellation_requested", stripeStatus: "active" });
    expect(cancelling.recurringGifts[0]!.cancelAt).toEqual(cancelling.recurringGifts[0]!.currentPeriodEnd);

    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: false });
    await advanceToRenewal(subscriptionId);
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.recurringGifts[0]).toMatchObject({ status: "active", cancelAt: null });
    expect(ledger.payments).toHaveLength(2);
  });

  it("cancels at period end and the period ends: ended, never charged again, never revived", async () => {
    const { marker, subscriptionId } = await startRecurringGift();
    await sandboxStripe().subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await advanceToPeriodEnd(subscriptionId);
    // A whole period later, when it would have renewed again.
    await advanceAPeriod(subscriptionId);
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.recurringGifts[0]).toMatchObject({ status: "ended", statusReason: "cancellation_requested", stripeStatus: "canceled" });
    expect(ledger.recurringGifts[0]!.endedAt).toEqual(ledger.payments[0]!.periodEnd);
    expect(ledger.payments).toHaveLength(1);
  });

  it("cancels now", async () => {
    const { marker, subscriptionId } = await startRecurringGift();
    await sandboxStripe().subscriptions.cancel(subscriptionId);
    // Past when it would have renewed and been charged.
    await advanceToRenewal(subscriptionId);
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.recurringGifts[0]).toMatchObject({ status: "ended", stripeStatus: "canceled" });
    expect(ledger.payments).toHaveLength(1);
  });

  it("refunds one payment in part and another in full: each payment's net says so; the gift goes on", async () => {
    const { marker, subscriptionId } = await startRecurringGift({ amount: 1000 });
    await advanceToRenewal(subscriptionId);
    const [firstCharge, secondCharge] = await paidCharges(subscriptionId);
    const stripe = sandboxStripe();
    await stripe.refunds.create({ charge: firstCharge!.id, amount: 300, reason: "requested_by_customer" });
    await stripe.refunds.create({ charge: secondCharge!.id });
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));

    expect(ledger.recurringGifts[0]).toMatchObject({ status: "active" });
    expect(ledger.refunds).toHaveLength(2);
    expect(ledger.refunds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ payment: firstCharge!.id, amountMinor: 300, status: "succeeded", reason: "requested_by_customer", netMinor: -300 }),
        expect.objectContaining({ payment: secondCharge!.id, amountMinor: 1000, status: "succeeded", netMinor: -1000 }),
      ]),
    );
    const balances = await paymentBalances();
    // Stripe keeps its fee on a refund: €9.60 net, less €3.00 and €10.00 given back.
    expect(balances.map((b) => [b.stripeChargeId, b.refundedMinor, b.netAfterReversalsMinor])).toEqual([
      [firstCharge!.id, 300, 660],
      [secondCharge!.id, 1000, -40],
    ]);
  });

  it("refunds a one-time gift in part, then the rest", async () => {
    const stripe = sandboxStripe();
    const marker = await lastEventId();
    const { session } = await giveOnce({ amount: 5000, currency: "usd", email: "once@example.org" });
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    const paymentIntent = paid.payment_intent as Stripe.PaymentIntent;
    await stripe.refunds.create({ payment_intent: paymentIntent.id, amount: 2000 });
    await stripe.refunds.create({ payment_intent: paymentIntent.id });
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));
    expect(ledger.gifts).toHaveLength(1);
    expect(ledger.refunds.map((r) => r.amountMinor).sort((a, b) => a - b)).toEqual([2000, 3000]);
    const [balance] = await paymentBalances();
    // $50.00 less 2.9% + 30¢ = $48.25 net; all $50.00 given back.
    expect(balance).toMatchObject({ grossMinor: 5000, feeMinor: 175, netMinor: 4825, refundedMinor: 5000, netAfterReversalsMinor: -175 });
  });

  it("disputes: one won (nothing lost in the end), one lost (the amount and the dispute fee)", async () => {
    const { marker, subscriptionId } = await startRecurringGift({ amount: 1000 });
    await advanceToRenewal(subscriptionId);
    const [firstCharge, secondCharge] = await paidCharges(subscriptionId);
    const won = await control<Stripe.Dispute>("POST", `/_sandbox/charges/${firstCharge!.id}/dispute`, { reason: "fraudulent" });
    const lost = await control<Stripe.Dispute>("POST", `/_sandbox/charges/${secondCharge!.id}/dispute`, { reason: "fraudulent" });
    await control("POST", `/_sandbox/disputes/${won.id}/close`, { outcome: "won" });
    await control("POST", `/_sandbox/disputes/${lost.id}/close`, { outcome: "lost" });
    const ledger = await sameLedgerInEveryOrder(await eventsAfter(marker));

    expect(ledger.disputes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stripeDisputeId: won.id, payment: firstCharge!.id, status: "won", amountMinor: 1000, netMinor: 0 }),
        expect.objectContaining({ stripeDisputeId: lost.id, payment: secondCharge!.id, status: "lost", amountMinor: 1000, feeMinor: 1500, netMinor: -2500 }),
      ]),
    );
    const balances = await paymentBalances();
    expect(balances.map((b) => [b.stripeChargeId, b.netAfterReversalsMinor])).toEqual([
      [firstCharge!.id, 960],
      [secondCharge!.id, 960 - 2500],
    ]);
  });

  it("records a paid invoice even if the subscription's metadata was edited in Stripe since", async () => {
    const { marker, subscriptionId } = await startRecurringGift();
    const events = await eventsAfter(marker);
    // Someone tidies metadata in Stripe's dashboard before our worker catches up.
    await sandboxStripe().subscriptions.update(subscriptionId, { metadata: { kind: "", campaign: "" } });
    const ledger = await ledgerFrom(events);
    expect(ledger.recurringGifts).toEqual([expect.objectContaining({ stripeSubscriptionId: subscriptionId, status: "active" })]);
    expect(byReason(ledger)).toEqual([["subscription_create", 1000]]);
  });
});
