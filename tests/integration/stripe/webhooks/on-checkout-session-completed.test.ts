import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { payments, stripeEvents } from "@/db/schema";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { useTestDatabase } from "../../../support/database";
import { giveOnce } from "../../../support/gifts";
import { clearLedger, countRows, ledgerSnapshot } from "../../../support/ledger";
import { control, deliver, eventsAfter, lastEventId, payCheckout, sandboxStripe } from "../../../support/stripe";

const database = useTestDatabase();

describe(`checkout.session.completed on ${database.kind}`, () => {
  beforeEach(async () => {
    await clearLedger();
    await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
  });

  it("records the supporter, the gift and its payment with Stripe's fee and net", async () => {
    const { session, events } = await giveOnce({ amount: 2500, currency: "eur", metadata: { article_url: "https://news.example/a", campaign: "footer", section: "world" } });
    expect(events.map((e) => e.type)).toContain("checkout.session.completed");

    const responses = await deliver(events);
    expect(responses.map((r) => r.status)).toEqual(events.map(() => 200));
    await drainStripeEvents();

    const ledger = await ledgerSnapshot();
    expect(ledger.supporters).toEqual([{ email: "reader@example.org", name: null, locale: "en", discreet: false, wantsReceipts: true, wantsReminders: true, wantsStatements: true }]);
    // Applied events keep no copy of what Stripe sent (the supporter's email and card country were in it).
    const inbox = await getDb().select({ status: stripeEvents.status, payload: stripeEvents.payload }).from(stripeEvents);
    expect(inbox.filter((row) => row.status === "processed")).not.toHaveLength(0);
    expect(inbox.every((row) => row.payload === null && row.status !== "pending")).toBe(true);
    expect(ledger.gifts).toEqual([
      expect.objectContaining({
        stripeCheckoutSessionId: session.id,
        frequency: "once",
        amountMinor: 2500,
        currency: "eur",
        livemode: "test",
        articleUrl: "https://news.example/a",
        section: "world",
        campaign: "footer",
        supporter: "reader@example.org",
      }),
    ]);
    const paid = await sandboxStripe().checkout.sessions.retrieve(session.id, { expand: ["payment_intent.latest_charge.balance_transaction"] });
    const charge = (paid.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
    const bt = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(ledger.payments).toEqual([
      expect.objectContaining({
        stripeChargeId: charge.id,
        stripeBalanceTransactionId: bt.id,
        amountMinor: 2500,
        currency: "eur",
        settlementAmountMinor: 2500,
        // Stripe's EEA standard card pricing: 1.5% + €0.25.
        feeMinor: 63,
        netMinor: 2437,
        settlementCurrency: "eur",
        gift: session.id,
      }),
    ]);
  });

  it("records nothing for a declined card, and one gift when the donor then pays", async () => {
    const stripe = sandboxStripe();
    const metadata = { kind: "readerfund_gift", frequency: "once", locale: "en", attempt_id: crypto.randomUUID() };
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      customer_creation: "always",
      line_items: [{ quantity: 1, price_data: { currency: "gbp", unit_amount: 2000, product_data: { name: "Gift" } } }],
      metadata,
      success_url: "http://localhost:3000/donate/thank-you?session_id={CHECKOUT_SESSION_ID}",
    });
    const marker = await lastEventId();
    const declined = await payCheckout(session.id, { card: "4000000000000002" });
    expect(declined.outcome).toBe("declined");
    await deliver(await eventsAfter(marker));
    await drainStripeEvents();
    expect(await countRows()).toMatchObject({ gifts: 0, payments: 0, supporters: 0 });

    const marker2 = await lastEventId();
    expect((await payCheckout(session.id)).outcome).toBe("succeeded");
    await deliver(await eventsAfter(marker2));
    await drainStripeEvents();
    const [payment] = await getDb().select().from(payments);
    // UK standard cards: 1.5% + 20p of £20.00.
    expect(payment).toMatchObject({ amountMinor: 2000, currency: "gbp", feeMinor: 50, netMinor: 1950 });
    expect(await countRows()).toMatchObject({ gifts: 1, payments: 1 });
  });

  it("records nothing for a paid Checkout Session that is not a gift (another integration on the account)", async () => {
    const stripe = sandboxStripe();
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      customer_creation: "always",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 3900, product_data: { name: "Tote bag" } } }],
      metadata: { order: "shop-123" },
      success_url: "https://shop.example/thanks",
    });
    const marker = await lastEventId();
    await payCheckout(session.id);
    await deliver(await eventsAfter(marker));
    await drainStripeEvents();

    expect(await countRows()).toMatchObject({ gifts: 0, payments: 0, supporters: 0 });
    const rows = await getDb().select({ type: stripeEvents.type, status: stripeEvents.status }).from(stripeEvents).where(eq(stripeEvents.status, "processed"));
    expect(rows).toEqual([]);
  });
});
