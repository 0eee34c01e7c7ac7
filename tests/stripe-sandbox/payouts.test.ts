import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableOn, businessDaysAfter } from "../../stripe-sandbox/objects";
import { PAYOUT_HOUR_UTC, payoutTimeFrom } from "../../stripe-sandbox/payouts";
import { type StartedSandbox, startSandbox } from "../../stripe-sandbox/server";
import { testClockStart } from "../support/sandbox";

const SECRET = "whsec_payouts_suite";
const DAY = 24 * 3600;
const verifier = new Stripe("sk_test_verifier", { telemetry: false });

/** A webhook endpoint that verifies each delivery with the SDK, as the app does. */
async function startReceiver() {
  const received: Stripe.Event[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push(verifier.webhooks.constructEvent(body, String(req.headers["stripe-signature"]), SECRET));
      res.writeHead(200).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A stand-in keeping its state in `stateFile`, reached through the SDK and the control API. */
async function standIn(stateFile: string, webhookUrl: string, payouts = true) {
  const started: StartedSandbox = await startSandbox({
    port: 0,
    clockStart: testClockStart(),
    stateFile,
    payouts,
    webhooks: { url: webhookUrl, secret: SECRET, duplicate: false, shuffle: false, timeoutMs: 2000, retryBaseMs: 10, maxAttempts: 3, concurrency: 2 },
  });
  const url = new URL(started.url);
  const stripe = new Stripe("sk_test_payouts_suite", { host: url.hostname, port: url.port, protocol: "http", telemetry: false, maxNetworkRetries: 0 });
  const control = async <T = Record<string, unknown>>(method: "GET" | "POST", route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${started.url}${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await response.json()) as T;
    expect(response.status, `${method} ${route}: ${JSON.stringify(json)}`).toBe(200);

    return json;
  };
  const now = async () => (await control<{ now: number }>("GET", "/_sandbox/clock")).now;
  /** To `at` (unix seconds) on the stand-in's clock, running what falls due on the way. */
  const advanceTo = async (at: number) => {
    const current = await now();
    if (at < current) throw new Error(`the clock is already past ${new Date(at * 1000).toISOString()}`);
    await control("POST", "/_sandbox/clock", { seconds: at - current });
  };
  const eventsOfType = async (type: string) =>
    (await control<{ data: Stripe.Event[] }>("GET", `/_sandbox/events?type=${type}`)).data;

  /** A one-time gift paid in Checkout: its charge. */
  async function charge(currency: string, amount: number): Promise<Stripe.Charge> {
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      submit_type: "donate",
      line_items: [{ quantity: 1, price_data: { currency, unit_amount: amount, product_data: { name: "Gift" } } }],
      success_url: "https://paper.example/thanks",
    });
    await control("POST", `/_sandbox/checkout/sessions/${session.id}/pay`, { email: "reader@example.org" });
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent.latest_charge"] });

    return (paid.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
  }

  async function loseDispute(chargeId: string): Promise<void> {
    const dispute = await control<Stripe.Dispute>("POST", `/_sandbox/charges/${chargeId}/dispute`, { reason: "fraudulent" });
    await control("POST", `/_sandbox/disputes/${dispute.id}/close`, { outcome: "lost" });
  }

  /** Every balance transaction a payout swept (its own included), through the SDK's auto-pagination, two to a page. */
  async function transactionsOf(payoutId: string): Promise<Stripe.BalanceTransaction[]> {
    const all: Stripe.BalanceTransaction[] = [];
    await stripe.balanceTransactions.list({ payout: payoutId, limit: 2 }).autoPagingEach((t) => {
      all.push(t);
    });

    return all;
  }

  return { started, stripe, control, now, advanceTo, eventsOfType, charge, loseDispute, transactionsOf };
}

const netOf = (transactions: Stripe.BalanceTransaction[]) => transactions.filter((t) => t.type !== "payout").reduce((sum, t) => sum + t.net, 0);
const byCurrency = (payouts: Stripe.Payout[]) => Object.fromEntries(payouts.map((p) => [p.currency, p]));

let directory: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), "stand-in-payouts-"));
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver.close();
  rmSync(directory, { recursive: true, force: true });
});

const at = (iso: string) => Date.parse(iso) / 1000;

describe("payout timing", () => {
  it("makes funds available two business days after the day they moved, a weekend day counting as the Monday after", () => {
    expect(availableOn(at("2027-03-01T15:00:00Z"))).toBe(at("2027-03-03T00:00:00Z")); // Monday → Wednesday
    expect(availableOn(at("2027-03-05T23:59:59Z"))).toBe(at("2027-03-09T00:00:00Z")); // Friday → Tuesday
    expect(availableOn(at("2027-03-06T00:00:00Z"))).toBe(at("2027-03-10T00:00:00Z")); // Saturday → Wednesday
    expect(availableOn(at("2028-02-28T10:00:00Z"))).toBe(at("2028-03-01T00:00:00Z")); // over a leap day
    expect(businessDaysAfter(at("2027-03-05T06:00:00Z"), 1)).toBe(at("2027-03-08T00:00:00Z")); // a Friday payout arrives on Monday
  });

  it("runs the payout schedule once a day at its hour", () => {
    const midnight = at("2027-03-03T00:00:00Z");
    expect(payoutTimeFrom(midnight)).toBe(midnight + PAYOUT_HOUR_UTC * 3600);
    expect(payoutTimeFrom(midnight + PAYOUT_HOUR_UTC * 3600)).toBe(midnight + PAYOUT_HOUR_UTC * 3600);
    expect(payoutTimeFrom(midnight + PAYOUT_HOUR_UTC * 3600 + 1)).toBe(midnight + DAY + PAYOUT_HOUR_UTC * 3600);
  });
});

describe("automatic payouts", () => {
  it("pays out each currency's available funds once a day, lists what each payout swept, and keeps it all across a restart", async () => {
    const stateFile = path.join(directory, "payouts.json");
    let s = await standIn(stateFile, receiver.url);
    try {
      // The day's own start, so that everything below happens on one day whatever the clock's start.
      await s.advanceTo(Math.floor((await s.now()) / DAY) * DAY + DAY);

      const [small, large, largest] = [await s.charge("eur", 5000), await s.charge("eur", 10000), await s.charge("eur", 20000)];
      await s.charge("usd", 3000);
      const pounds = await s.charge("gbp", 1000);
      await s.stripe.refunds.create({ charge: small.id, amount: 2000 });
      await s.loseDispute(large.id);
      await s.loseDispute(pounds.id);

      // EUR: 5000 − (75 + 25) fee, 10000 − 175, 20000 − 325, refund −2000, dispute −10000 and its 1500 fee.
      const eurNet = 4900 + 9825 + 19675 - 2000 - 11500;
      // USD: 3000 − (87 + 30). GBP: 1000 − (15 + 20), dispute −1000 − 1500: below zero, so no payout.
      const usdNet = 2883;
      const gbpNet = 965 - 2500;

      const made = (await s.stripe.balanceTransactions.list({ limit: 100 })).data;
      expect(made).toHaveLength(8);
      expect(made.every((t) => t.status === "pending")).toBe(true);
      const availableOn = made[0]!.available_on;
      expect(made.every((t) => t.available_on === availableOn)).toBe(true);
      expect(availableOn % DAY).toBe(0);
      expect(availableOn).toBeGreaterThan(await s.now());
      expect((await s.stripe.balance.retrieve()).pending).toEqual([
        { amount: eurNet, currency: "eur", source_types: { card: eurNet } },
        { amount: gbpNet, currency: "gbp", source_types: { card: gbpNet } },
        { amount: usdNet, currency: "usd", source_types: { card: usdNet } },
      ]);

      // The funds become available at their available_on, and are paid out at that day's payout hour.
      await s.advanceTo(availableOn);
      expect((await s.stripe.balanceTransactions.list({ limit: 100 })).data.every((t) => t.status === "available")).toBe(true);
      expect((await s.stripe.payouts.list()).data).toEqual([]);
      const payoutTime = payoutTimeFrom(availableOn);
      await s.advanceTo(payoutTime);

      const payouts = (await s.stripe.payouts.list()).data;
      expect(payouts.map((p) => p.currency).sort()).toEqual(["eur", "usd"]);
      const { eur, usd } = byCurrency(payouts);
      for (const [payout, amount] of [
        [eur!, eurNet],
        [usd!, usdNet],
      ] as const) {
        expect(payout).toMatchObject({ object: "payout", amount, automatic: true, status: "in_transit", method: "standard", type: "bank_account", created: payoutTime });
        expect(payout.id).toMatch(/^po_/);
        expect(payout.destination).toMatch(/^ba_/);
        expect(payout.arrival_date % DAY).toBe(0);
        expect(payout.arrival_date).toBeGreaterThan(payout.created);
        const own = (await s.stripe.payouts.retrieve(payout.id, { expand: ["balance_transaction"] })).balance_transaction as Stripe.BalanceTransaction;
        expect(own).toMatchObject({ type: "payout", amount: -amount, fee: 0, net: -amount, source: payout.id, currency: payout.currency });

        const swept = await s.transactionsOf(payout.id);
        expect(swept.filter((t) => t.type === "payout").map((t) => t.id)).toEqual([own.id]);
        expect(netOf(swept)).toBe(amount);
      }
      const sweptEur = await s.transactionsOf(eur!.id);
      expect(sweptEur.map((t) => t.type).sort()).toEqual(["adjustment", "charge", "charge", "charge", "payout", "refund"]);
      expect(sweptEur.filter((t) => t.type === "charge").map((t) => t.source).sort()).toEqual([small.id, large.id, largest.id].sort());

      // Stripe's list semantics: type and created filters, pages both ways.
      expect((await s.stripe.balanceTransactions.list({ payout: eur!.id, type: "charge" })).data).toHaveLength(3);
      expect((await s.stripe.balanceTransactions.list({ payout: eur!.id, created: { gte: payoutTime } })).data.map((t) => t.type)).toEqual(["payout"]);
      const firstPage = await s.stripe.balanceTransactions.list({ payout: eur!.id, limit: 4 });
      expect(firstPage).toMatchObject({ has_more: true, url: "/v1/balance_transactions" });
      expect(firstPage.data.map((t) => t.id)).toEqual(sweptEur.slice(0, 4).map((t) => t.id));
      const back = await s.stripe.balanceTransactions.list({ payout: eur!.id, ending_before: sweptEur[3]!.id, limit: 2 });
      expect({ ids: back.data.map((t) => t.id), has_more: back.has_more }).toEqual({ ids: sweptEur.slice(1, 3).map((t) => t.id), has_more: true });
      await expect(s.stripe.balanceTransactions.list({ payout: "po_1Missing" })).rejects.toMatchObject({ statusCode: 404 });
      const withSources = await s.stripe.balanceTransactions.list({ payout: usd!.id, expand: ["data.source"] });
      expect(withSources.data.map((t) => (t.source as { object: string }).object)).toEqual(["payout", "charge"]);

      // The balance: paid out in full, but for what is owed in pounds.
      expect((await s.stripe.balance.retrieve()).available.map((b) => [b.currency, b.amount])).toEqual([
        ["eur", 0],
        ["gbp", gbpNet],
        ["usd", 0],
      ]);

      // Paid on the arrival date; a day later, nothing is paid out again.
      await s.advanceTo(eur!.arrival_date);
      expect((await s.stripe.payouts.list({ status: "paid" })).data.map((p) => p.id).sort()).toEqual([eur!.id, usd!.id].sort());
      await s.advanceTo(payoutTimeFrom(eur!.arrival_date) + DAY);
      expect((await s.stripe.payouts.list()).data).toHaveLength(2);

      // Each payout's events, in Stripe's order, delivered signed to the endpoint.
      for (const payout of [eur!, usd!]) {
        const events = (await s.control<{ data: Stripe.Event[] }>("GET", "/_sandbox/events")).data.filter(
          (e) => e.type.startsWith("payout.") && (e.data.object as Stripe.Payout).id === payout.id,
        );
        expect(events.map((e) => [e.type, (e.data.object as Stripe.Payout).status])).toEqual([
          ["payout.created", "pending"],
          ["payout.updated", "in_transit"],
          ["payout.updated", "paid"],
          ["payout.paid", "paid"],
          ["payout.reconciliation_completed", "paid"],
        ]);
        expect(events[0]!.created).toBe(payoutTime);
        expect(events.at(-1)!.data.object).toMatchObject({ reconciliation_status: "completed" });
      }
      expect((await s.eventsOfType("balance.available")).length).toBeGreaterThan(0);
      await s.control("POST", "/_sandbox/webhooks/flush", {});
      const delivered = receiver.received.filter((e) => e.type === "payout.created" || e.type === "payout.paid");
      expect(delivered.map((e) => `${e.type} ${(e.data.object as Stripe.Payout).id}`).sort()).toEqual(
        [`payout.created ${eur!.id}`, `payout.created ${usd!.id}`, `payout.paid ${eur!.id}`, `payout.paid ${usd!.id}`].sort(),
      );

      // A restart keeps the payouts and what they swept; nothing is paid out again.
      await s.started.close();
      s = await standIn(stateFile, receiver.url);
      expect(s.started.restored).toBe(true);
      expect((await s.stripe.payouts.list()).data.map((p) => [p.id, p.status, p.amount])).toEqual(payouts.map((p) => [p.id, "paid", p.amount]));
      expect((await s.transactionsOf(eur!.id)).map((t) => t.id)).toEqual(sweptEur.map((t) => t.id));
      await s.advanceTo(payoutTimeFrom((await s.now()) + DAY));
      expect((await s.stripe.payouts.list()).data).toHaveLength(2);

      // What is owed in pounds is taken from the next pounds to come in: one payout of the difference.
      const later = await s.charge("gbp", 5000);
      const laterAvailable = (await s.stripe.balanceTransactions.retrieve(later.balance_transaction as string)).available_on;
      await s.advanceTo(payoutTimeFrom(laterAvailable));
      const gbp = byCurrency((await s.stripe.payouts.list()).data).gbp!;
      expect(gbp.amount).toBe(gbpNet + 5000 - 95);
      const sweptGbp = await s.transactionsOf(gbp.id);
      expect(sweptGbp.map((t) => t.type).sort()).toEqual(["adjustment", "charge", "charge", "payout"]);
      expect(netOf(sweptGbp)).toBe(gbp.amount);
    } finally {
      await s.started.close();
    }
  });

  it("leaves the balance alone while switched off, and catches up, each step at its own time, once switched on", async () => {
    const s = await standIn(path.join(directory, "switched.json"), receiver.url, false);
    try {
      expect(await s.control("GET", "/_sandbox/config")).toMatchObject({ payouts: false });
      const gift = await s.charge("eur", 2500);
      const { available_on: availableOn } = await s.stripe.balanceTransactions.retrieve(gift.balance_transaction as string);
      await s.advanceTo(payoutTimeFrom(availableOn) + DAY);
      expect(await s.stripe.balanceTransactions.retrieve(gift.balance_transaction as string)).toMatchObject({ status: "pending" });
      expect((await s.stripe.payouts.list()).data).toEqual([]);
      expect(await s.eventsOfType("balance.available")).toEqual([]);

      await s.control("POST", "/_sandbox/config", { payouts: true });
      await s.advanceTo(await s.now());
      const [payout] = (await s.stripe.payouts.list()).data;
      expect(payout).toMatchObject({ amount: 2500 - 63, currency: "eur", created: payoutTimeFrom(availableOn) });
      expect((await s.eventsOfType("balance.available")).map((e) => e.created)).toEqual([availableOn]);
    } finally {
      await s.started.close();
    }
  });
});
