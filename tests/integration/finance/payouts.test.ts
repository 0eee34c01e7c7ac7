import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { payments, staffMembers } from "@/db/schema";
import { startFinanceExport } from "@/lib/finance/exports";
import { type PayoutReconciliation, payoutsFor } from "@/lib/finance/payouts";
import { rollupDifferences } from "@/lib/finance/rollup-check";
import { nobody } from "@/lib/supporters/actor";
import { payoutTimeFrom } from "../../../stripe-sandbox/payouts";
import { signedIn } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { giveOnce } from "../../support/gifts";
import { clearLedger, drainUntilSettled, type LedgerSnapshot, ledgerSnapshot } from "../../support/ledger";
import { control, deliver, deliveryOrders, eventsAfter, lastEventId, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

// This file turns payouts on and moves the stand-in's clock by days, so it has a stand-in of its own.
usePrivateSandbox();
const database = useTestDatabase();

const DAY = 24 * 3600;
const utcDay = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

async function now(): Promise<number> {
  return (await control<{ now: number }>("GET", "/_sandbox/clock")).now;
}

/** To `at` (unix seconds) on the stand-in's clock, running the payouts that fall due on the way. */
async function advanceTo(at: number): Promise<void> {
  const current = await now();
  if (at < current) throw new Error(`the clock is already past ${new Date(at * 1000).toISOString()}`);
  await control("POST", "/_sandbox/clock", { seconds: at - current });
}

/** A one-time gift paid in Checkout as the app starts one: its charge, and the events it produced. */
async function gift(currency: string, amount: number): Promise<{ charge: Stripe.Charge; events: Stripe.Event[] }> {
  const { session, events } = await giveOnce({ currency, amount });
  const paid = await sandboxStripe().checkout.sessions.retrieve(session.id, { expand: ["payment_intent.latest_charge"] });

  return { charge: (paid.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge, events };
}

/** Through the payouts of everything that moved so far: each made at its day's hour, then paid on its arrival date. */
async function payOut(chargeId: string): Promise<Stripe.Payout[]> {
  const stripe = sandboxStripe();
  const charge = await stripe.charges.retrieve(chargeId, { expand: ["balance_transaction"] });
  const payoutTime = payoutTimeFrom((charge.balance_transaction as Stripe.BalanceTransaction).available_on);
  await advanceTo(payoutTime);
  const made = (await stripe.payouts.list({ created: payoutTime, limit: 100 })).data;
  await advanceTo(Math.max(...made.map((p) => p.arrival_date)));

  return Promise.all(made.map((p) => stripe.payouts.retrieve(p.id)));
}

/** The figures a page shows of a payout, and its lines by Stripe's type and figures. */
function summary(payout: PayoutReconciliation) {
  return {
    currency: payout.currency,
    status: payout.status,
    amountMinor: payout.amountMinor,
    transactionsNetMinor: payout.transactionsNetMinor,
    ledgerNetMinor: payout.ledgerNetMinor,
    reconciles: payout.reconciles,
    differenceMinor: payout.differenceMinor,
    causes: payout.causes.map((c) => ({ code: c.code, differenceMinor: c.differenceMinor, line: c.stripeBalanceTransactionId })),
    lines: payout.transactions
      .map((l) => ({ type: l.type, source: l.sourceId, amount: l.amountMinor, fee: l.feeMinor, net: l.netMinor, ledgerNet: l.ledgerNetMinor, matched: (l.paymentId ?? l.refundId ?? l.disputeId) !== null }))
      .sort((a, b) => a.amount - b.amount),
  };
}

/**
 * The payouts of a period read both ways: with every line, and as /finance reads them (the lines
 * only of payouts that may not reconcile, the others judged by the counts the triggers keep). The
 * two must agree on every figure; the first is returned.
 */
async function payoutsShown(period: { from: string; to: string }): Promise<PayoutReconciliation[]> {
  const all = await payoutsFor(finance, period, getDb());
  const page = await payoutsFor(finance, period, getDb(), { lines: "unreconciled" });
  expect(page).toEqual(all.map((payout) => (payout.reconciles ? { ...payout, transactions: [] } : payout)));

  return all;
}

let finance: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  await control("POST", "/_sandbox/config", { payouts: true });
  await getDb().insert(staffMembers).values({ email: "books@paper.example", role: "finance", grantedBy: "test" });
  finance = await signedIn("books@paper.example");
});

describe(`payout reconciliation on ${database.kind}`, () => {
  let eur: Stripe.Payout;
  let usd: Stripe.Payout;
  let charges: Record<"eurSmall" | "eurLarge" | "usd", Stripe.Charge>;
  let refund: Stripe.Refund;
  let dispute: Stripe.Dispute;

  it("records each payout and what it carried the same whatever the order and repetition of its events", { timeout: 240_000 }, async () => {
    // The start of a day, so that every gift below falls on one day and goes out in one payout per currency.
    await advanceTo(Math.floor((await now()) / DAY) * DAY + DAY + 3600);
    const marker = await lastEventId();
    const eurSmall = await gift("eur", 5000);
    const eurLarge = await gift("eur", 10000);
    const usdGift = await gift("usd", 3000);
    charges = { eurSmall: eurSmall.charge, eurLarge: eurLarge.charge, usd: usdGift.charge };
    refund = await sandboxStripe().refunds.create({ charge: eurSmall.charge.id, amount: 2000 });
    dispute = await control<Stripe.Dispute>("POST", `/_sandbox/charges/${eurLarge.charge.id}/dispute`, { reason: "fraudulent" });
    await control("POST", `/_sandbox/disputes/${dispute.id}/close`, { outcome: "lost" });
    const made = await payOut(eurSmall.charge.id);
    expect(made.map((p) => [p.currency, p.status]).sort()).toEqual([
      ["eur", "paid"],
      ["usd", "paid"],
    ]);
    eur = made.find((p) => p.currency === "eur")!;
    usd = made.find((p) => p.currency === "usd")!;
    const events = await eventsAfter(marker);
    expect(events.filter((e) => e.type.startsWith("payout.")).map((e) => e.type)).toHaveLength(10);

    let first: { name: string; ledger: LedgerSnapshot } | null = null;
    for (const order of deliveryOrders(events, 13)) {
      await clearLedger();
      for (const response of await deliver(order.events)) expect(response.status).toBe(200);
      await drainUntilSettled();
      const ledger = await ledgerSnapshot();
      // What the triggers keep of each payout's lines equals a recomputation, whichever came first.
      expect(await rollupDifferences(getDb()), order.name).toEqual([]);
      if (first === null) first = { name: order.name, ledger };
      else expect(ledger, `${order.name} vs ${first.name}`).toEqual(first.ledger);
    }
    const recorded = first!.ledger.payouts;
    expect(recorded.map((p) => [p.stripePayoutId, p.status, p.amountMinor, p.reconciled, p.transactions.length, p.linesCount, p.unmatchedLinesCount]).sort()).toEqual(
      [
        [eur.id, "paid", eur.amount, true, 5, 4, 0],
        [usd.id, "paid", usd.amount, true, 2, 1, 0],
      ].sort(),
    );
    // Every line of ours is linked, whichever of it and its payout was written first.
    const eurLines = recorded.find((p) => p.stripePayoutId === eur.id)!.transactions;
    expect(eurLines.map((l) => [l.type, l.payment ?? l.refund ?? l.dispute ?? l.sourceId]).sort()).toEqual(
      [
        ["charge", eurSmall.charge.id],
        ["charge", eurLarge.charge.id],
        ["refund", refund.id],
        ["adjustment", dispute.id],
        ["payout", eur.id],
      ].sort(),
    );
  });

  it("shows each payout reconciling to the cent with our ledger, line by line", async () => {
    const period = { from: utcDay(Math.min(eur.arrival_date, usd.arrival_date)), to: utcDay(Math.max(eur.arrival_date, usd.arrival_date)) };
    const shown = await payoutsShown(period);
    expect(shown.map((p) => p.stripePayoutId).sort()).toEqual([eur.id, usd.id].sort());
    const byCurrency = Object.fromEntries(shown.map((p) => [p.currency, p]));

    // EUR: €50.00 less 1.5% + €0.25, €100.00 likewise, €20.00 refunded, €100.00 lost with a €15.00 dispute fee.
    expect(summary(byCurrency.eur!)).toEqual({
      currency: "eur",
      status: "paid",
      amountMinor: 1225,
      transactionsNetMinor: 1225,
      ledgerNetMinor: 1225,
      reconciles: true,
      differenceMinor: 0,
      causes: [],
      lines: [
        { type: "adjustment", source: dispute.id, amount: -10000, fee: 1500, net: -11500, ledgerNet: -11500, matched: true },
        { type: "refund", source: refund.id, amount: -2000, fee: 0, net: -2000, ledgerNet: -2000, matched: true },
        { type: "charge", source: charges.eurSmall.id, amount: 5000, fee: 100, net: 4900, ledgerNet: 4900, matched: true },
        { type: "charge", source: charges.eurLarge.id, amount: 10000, fee: 175, net: 9825, ledgerNet: 9825, matched: true },
      ],
    });
    // USD: $30.00 less 2.9% + $0.30.
    expect(summary(byCurrency.usd!)).toEqual({
      currency: "usd",
      status: "paid",
      amountMinor: 2883,
      transactionsNetMinor: 2883,
      ledgerNetMinor: 2883,
      reconciles: true,
      differenceMinor: 0,
      causes: [],
      lines: [{ type: "charge", source: charges.usd.id, amount: 3000, fee: 117, net: 2883, ledgerNet: 2883, matched: true }],
    });
    expect(byCurrency.eur).toMatchObject({ arrivalDate: utcDay(eur.arrival_date), automatic: true, reconciledAt: expect.any(Date) });

    // By arrival date, both ends included.
    expect(await payoutsShown({ from: utcDay(usd.arrival_date + DAY), to: utcDay(usd.arrival_date + 10 * DAY) })).toEqual([]);
 
    // The payouts CSV: one row per line, the payout beside it, each matched to the ledger's Stripe id.
    const exported = await startFinanceExport(finance, { kind: "payouts", ...period }, { page: "/finance/export/payouts" });
    let csv = "";
    for await (const chunk of exported.chunks) csv += chunk;
    const rows = csv.trim().split("\r\n").map((line) => line.split(","));
    expect(rows[0]!.slice(0, 5)).toEqual(["arrival_date", "payout", "payout_amount_minor", "payout_currency", "payout_status"]);
    const column = (name: string) => rows[0]!.indexOf(name);
    const lines = rows.slice(1).map((row) => [row[column("payout")], row[column("type")], row[column("net_minor")], row[column("payment_intent")] !== "" || row[column("refund")] !== "" || row[column("dispute")] !== ""]);
    expect(lines.sort()).toEqual(
      [
        [eur.id, "adjustment", "-11500", true],
        [eur.id, "refund", "-2000", true],
        [eur.id, "charge", "4900", true],
        [eur.id, "charge", "9825", true],
        [usd.id, "charge", "2883", true],
        // The payout's own transaction, as Stripe lists it: the money leaving the balance for the bank.
        [eur.id, "payout", "-1225", false],
        [usd.id, "payout", "-2883", false],
      ].sort(),
    );
    expect(rows.slice(1).filter((row) => row[column("payout")] === eur.id && row[column("type")] !== "payout").reduce((sum, row) => sum + Number(row[column("net_minor")]), 0)).toBe(1225);
  });

  it("does not reconcile a payout whose payment our ledger has with another fee, and says which line", async () => {
    await getDb()
      .update(payments)
      .set({ feeMinor: sql`${payments.feeMinor} + 7`, netMinor: sql`${payments.netMinor} - 7` })
      .where(eq(payments.stripeChargeId, charges.usd.id));
    const day = utcDay(usd.arrival_date);
    const shown = (await payoutsShown({ from: day, to: day })).find((p) => p.stripePayoutId === usd.id)!;
    expect(summary(shown)).toMatchObject({
      amountMinor: 2883,
      transactionsNetMinor: 2883,
      ledgerNetMinor: 2876,
      reconciles: false,
      differenceMinor: 7,
      causes: [{ code: "payment_differs", differenceMinor: 7, line: charges.usd.balance_transaction }],
    });
    expect(shown.causes[0]!.message).toBe(
      `Our payment for ${charges.usd.id} has fee $1.24 and net $28.76; Stripe's balance transaction has $1.17 and $28.83.`,
    );
    // The other payout is untouched.
    expect((await payoutsShown({ from: utcDay(eur.arrival_date), to: utcDay(eur.arrival_date) })).find((p) => p.stripePayoutId === eur.id)).toMatchObject({ reconciles: true });
    expect(await rollupDifferences(getDb())).toEqual([]);
  });

  it("does not reconcile a payout carrying a gift we never recorded, until its events come", async () => {
    const marker = await lastEventId();
    const unrecorded = await gift("eur", 4000);
    const [payout, ...others] = await payOut(unrecorded.charge.id);
    expect(others).toEqual([]);
    const payoutEvents = (await eventsAfter(marker)).filter((e) => e.type.startsWith("payout."));
    await deliver(payoutEvents);
    await drainUntilSettled();

    const day = utcDay(payout!.arrival_date);
    const [shown, ...none] = await payoutsShown({ from: day, to: day });
    expect(none).toEqual([]);
    // €40.00 less 1.5% + €0.25.
    expect(summary(shown!)).toEqual({
      currency: "eur",
      status: "paid",
      amountMinor: 3915,
      transactionsNetMinor: 3915,
      ledgerNetMinor: 0,
      reconciles: false,
      differenceMinor: 3915,
      causes: [{ code: "unknown_charge", differenceMinor: 3915, line: unrecorded.charge.balance_transaction }],
      lines: [{ type: "charge", source: unrecorded.charge.id, amount: 4000, fee: 85, net: 3915, ledgerNet: 0, matched: false }],
    });
    expect(shown!.causes[0]!.message).toBe(`Stripe paid out the charge ${unrecorded.charge.id} (€39.15 net), which is not a payment in our ledger.`);

    // Its checkout events arrive late: the payout's line finds the payment, and the payout reconciles.
    await deliver(unrecorded.events);
    await drainUntilSettled();
    expect(await payoutsShown({ from: day, to: day })).toEqual([expect.objectContaining({ reconciles: true, differenceMinor: 0, causes: [] })]);
  });

  it("reconciles a won dispute whose withdrawal and reinstatement go out in different payouts", async () => {
    const marker = await lastEventId();
    const kept = await gift("eur", 20000);
    const contested = await gift("eur", 5000);
    const won = await control<Stripe.Dispute>("POST", `/_sandbox/charges/${contested.charge.id}/dispute`, { reason: "fraudulent" });
    const [withdrawn] = await payOut(kept.charge.id);
    // Won after the withdrawal went out: the reinstatement goes out in a later payout.
    await control("POST", `/_sandbox/disputes/${won.id}/close`, { outcome: "won" });
    const dispute = await sandboxStripe().disputes.retrieve(won.id);
    const reinstatement = dispute.balance_transactions.find((t) => t.net > 0)!;
    await deliver(await eventsAfter(marker));
    await drainUntilSettled();

    const dayOf = (p: Stripe.Payout) => ({ from: utcDay(p.arrival_date), to: utcDay(p.arrival_date) });
    // €200.00 and €50.00 less 1.5% + €0.25 each, €50.00 withdrawn with a €15.00 fee.
    expect(summary((await payoutsShown(dayOf(withdrawn!)))[0]!)).toMatchObject({
      amountMinor: 19675 + 4900 - 6500,
      ledgerNetMinor: 19675 + 4900 - 6500,
      reconciles: true,
      causes: [],
    });

    const marker2 = await lastEventId();
    await advanceTo(payoutTimeFrom(reinstatement.available_on));
    const [back] = (await sandboxStripe().payouts.list({ created: payoutTimeFrom(reinstatement.available_on) })).data;
    await advanceTo(back!.arrival_date);
    await deliver(await eventsAfter(marker2));
    await drainUntilSettled();
    // The €50.00 and the €15.00 fee given back.
    expect(summary((await payoutsShown(dayOf(back!)))[0]!)).toMatchObject({
      amountMinor: 6500,
      ledgerNetMinor: 6500,
      reconciles: true,
      causes: [],
      lines: [{ type: "adjustment", source: won.id, amount: 5000, fee: -1500, net: 6500, ledgerNet: 6500, matched: true }],
    });
    expect((await payoutsShown(dayOf(withdrawn!)))[0]).toMatchObject({ reconciles: true });

    // Our dispute's net altered: both payouts carrying it point at it.
    await getDb().execute(sql`update disputes set net_minor = net_minor - 100, settlement_amount_minor = settlement_amount_minor - 100 where stripe_dispute_id = ${won.id}`);
    expect(summary((await payoutsShown(dayOf(back!)))[0]!)).toMatchObject({
      reconciles: false,
      differenceMinor: 100,
      causes: [{ code: "dispute_differs", differenceMinor: 100, line: reinstatement.id }],
    });
    expect((await payoutsShown(dayOf(withdrawn!)))[0]).toMatchObject({ reconciles: false });
    expect(await rollupDifferences(getDb())).toEqual([]);
  });

  it("is for finance staff only", async () => {
    const period = { from: utcDay(eur.arrival_date), to: utcDay(eur.arrival_date) };
    await expect(payoutsFor(await signedIn("reader@example.org"), period, getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(payoutsFor(nobody, period, getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
