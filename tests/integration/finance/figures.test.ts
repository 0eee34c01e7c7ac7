import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { disputes, gifts, paymentFailures, payments, recurringGifts, refunds, staffMembers, supporters } from "@/db/schema";
import { attribution, compareVariants } from "@/lib/finance/attribution";
import { latestActivity } from "@/lib/finance/activity";
import { cohortRetention, monthlyChurn, periodFigures, periodSeries } from "@/lib/finance/figures";
import { rollupDifferences } from "@/lib/finance/rollup-check";
import { select } from "@/lib/finance/select";
import { nobody } from "@/lib/supporters/actor";
import { signedIn } from "../../support/actors";
import { useTestDatabase } from "../../support/database";

const database = useTestDatabase();

/**
 * A ledger built by hand, as the webhooks would leave it, in March 2025 (with some history before):
 * every figure below is worked out by hand from these rows and written in the test.
 */
const MARCH = { from: "2025-03-01", to: "2025-03-31" };
const at = (day: string) => new Date(`${day}T12:00:00Z`);
let n = 0;
const id = (prefix: string) => `${prefix}_${++n}`;

async function supporter(email: string): Promise<string> {
  const [row] = await getDb().insert(supporters).values({ email }).returning({ id: supporters.id });

  return row!.id;
}

type Settled = { settlementCurrency?: string; fee: number; settlementAmount?: number; exchangeRate?: string } | null;

function settlement(amount: number, settled: Settled) {
  if (!settled) return {};
  const settlementAmount = settled.settlementAmount ?? amount;

  return {
    settlementCurrency: settled.settlementCurrency ?? "eur",
    settlementAmountMinor: settlementAmount,
    feeMinor: settled.fee,
    netMinor: settlementAmount - settled.fee,
    exchangeRate: settled.exchangeRate ?? null,
  };
}

async function oneTime(input: { supporterId: string; amount: number; currency: string; day: string; article?: string; section?: string; campaign?: string; variant?: string; settled: Settled }) {
  const db = getDb();
  const [gift] = await db
    .insert(gifts)
    .values({
      supporterId: input.supporterId,
      stripeCheckoutSessionId: id("cs"),
      frequency: "once",
      amountMinor: input.amount,
      currency: input.currency,
      livemode: "test",
      articleUrl: input.article ?? null,
      section: input.section ?? null,
      campaign: input.campaign ?? null,
      variant: input.variant ?? null,
      givenAt: at(input.day),
    })
    .returning({ id: gifts.id });
  const [payment] = await db
    .insert(payments)
    .values({
      giftId: gift!.id,
      supporterId: input.supporterId,
      stripePaymentIntentId: id("pi"),
      stripeChargeId: id("ch"),
      amountMinor: input.amount,
      currency: input.currency,
      livemode: "test",
      paidAt: at(input.day),
      ...settlement(input.amount, input.settled),
    })
    .returning({ id: payments.id });

  return payment!.id;
}

async function recurring(input: {
  supporterId: string;
  amount: number;
  interval: "month" | "year";
  started: string;
  status: "active" | "paused" | "past_due" | "ended";
  reason?: string;
  ended?: string;
  article?: string;
  campaign?: string;
  variant?: string;
  paid: Array<{ day: string; fee?: number; failedFirst?: string; failedAfter?: string }>;
}) {
  const db = getDb();
  const [gift] = await db
    .insert(recurringGifts)
    .values({
      supporterId: input.supporterId,
      stripeSubscriptionId: id("sub"),
      stripeCustomerId: id("cus"),
      frequency: input.interval === "month" ? "monthly" : "annual",
      interval: input.interval,
      intervalCount: 1,
      amountMinor: input.amount,
      currency: "eur",
      status: input.status,
      statusReason: input.reason ?? null,
      stripeStatus: input.status === "ended" ? "canceled" : input.status,
      startedAt: at(input.started),
      endedAt: input.ended ? at(input.ended) : null,
      livemode: "test",
      articleUrl: input.article ?? null,
      campaign: input.campaign ?? null,
      variant: input.variant ?? null,
      stripeSyncedAt: at(input.started),
    })
    .returning({ id: recurringGifts.id });
  for (const [index, paid] of input.paid.entries()) {
    const invoice = id("in");
    if (paid.failedFirst) {
      await db.insert(paymentFailures).values({ recurringGiftId: gift!.id, stripeInvoiceId: invoice, attemptCount: 1, kind: "declined", amountMinor: input.amount, currency: "eur", failedAt: at(paid.failedFirst) });
    }
    await db.insert(payments).values({
      recurringGiftId: gift!.id,
      supporterId: input.supporterId,
      stripeInvoiceId: invoice,
      billingReason: index === 0 ? "subscription_create" : "subscription_cycle",
      stripePaymentIntentId: id("pi"),
      stripeChargeId: id("ch"),
      amountMinor: input.amount,
      currency: "eur",
      livemode: "test",
      paidAt: at(paid.day),
      ...settlement(input.amount, paid.fee === undefined ? null : { fee: paid.fee }),
    });
    // A failed attempt whose event arrives after the invoice's payment was recorded.
    if (paid.failedAfter) {
      await db.insert(paymentFailures).values({ recurringGiftId: gift!.id, stripeInvoiceId: invoice, attemptCount: 1, kind: "declined", amountMinor: input.amount, currency: "eur", failedAt: at(paid.failedAfter) });
    }
  }

  return gift!.id;
}

describe(`finance figures from a hand-built ledger on ${database.kind}`, () => {
  beforeAll(async () => {
    const db = getDb();
    const s1 = await supporter("one@example.org");
    const s2 = await supporter("two@example.org");
    const s3 = await supporter("three@example.org");

    // One-time gifts. G1's fee arrives after the payment (charge.updated), as it can.
    const g1 = await oneTime({ supporterId: s1, amount: 5000, currency: "eur", day: "2025-03-03", article: "/news/a", section: "news", campaign: "spring", variant: "a", settled: null });
    await db.update(payments).set(settlement(5000, { fee: 170 })).where(eq(payments.id, g1));
    const g2 = await oneTime({ supporterId: s2, amount: 10000, currency: "eur", day: "2025-03-05", article: "/news/b", section: "news", campaign: "spring", variant: "b", settled: { fee: 300 } });
    const g3 = await oneTime({ supporterId: s1, amount: 3000, currency: "eur", day: "2025-03-20", article: "/news/a", section: "news", campaign: "spring", variant: "a", settled: { fee: 100 } });
    // A dollar gift that Stripe settled in euros.
    await oneTime({ supporterId: s1, amount: 4000, currency: "usd", day: "2025-03-15", article: "/world/c", section: "world", settled: { settlementCurrency: "eur", settlementAmount: 3700, fee: 140, exchangeRate: "0.925" } });
    // Outside the period.
    await oneTime({ supporterId: s3, amount: 1000, currency: "eur", day: "2025-02-27", article: "/news/a", settled: { fee: 50 } });

    // A partial refund of G1, first pending then succeeded; a refund of G2 that failed (takes nothing).
    const [refund] = await db
      .insert(refunds)
      .values({ paymentId: g1, stripeRefundId: id("re"), stripeChargeId: "ch", amountMinor: 2000, currency: "eur", status: "pending", refundedAt: at("2025-03-10"), stripeSyncedAt: at("2025-03-10") })
      .returning({ id: refunds.id });
    await db
      .update(refunds)
      .set({ status: "succeeded", settlementCurrency: "eur", settlementAmountMinor: -2000, feeMinor: 0, netMinor: -2000 })
      .where(eq(refunds.id, refund!.id));
    await db.insert(refunds).values({ paymentId: g2, stripeRefundId: id("re"), stripeChargeId: "ch", amountMinor: 500, currency: "eur", status: "failed", refundedAt: at("2025-03-11"), stripeSyncedAt: at("2025-03-11") });

    // G2's dispute is lost (the amount and a €15 fee withdrawn); G3's is won (the amount given back, the fee kept).
    const [lost] = await db
      .insert(disputes)
      .values({ paymentId: g2, stripeDisputeId: id("du"), stripeChargeId: "ch", amountMinor: 10000, currency: "eur", status: "needs_response", openedAt: at("2025-03-12"), stripeSyncedAt: at("2025-03-12"), settlementCurrency: "eur", settlementAmountMinor: -11500, feeMinor: 1500, netMinor: -11500 })
      .returning({ id: disputes.id });
    await db.update(disputes).set({ status: "lost" }).where(eq(disputes.id, lost!.id));
    await db.insert(disputes).values({ paymentId: g3, stripeDisputeId: id("du"), stripeChargeId: "ch", amountMinor: 3000, currency: "eur", status: "won", openedAt: at("2025-03-25"), stripeSyncedAt: at("2025-03-25"), settlementCurrency: "eur", settlementAmountMinor: -1500, feeMinor: 1500, netMinor: -1500 });

    // Recurring gifts, all in euros.
    // R1 €10/month since January; March's renewal failed once, then was paid (recovered). February's
    // failed too, but that failure is recorded only after its payment.
    await recurring({
      supporterId: s3,
      amount: 1000,
      interval: "month",
      started: "2025-01-10",
      status: "active",
      article: "/news/a",
      paid: [{ day: "2025-01-10", fee: 50 }, { day: "2025-02-10", fee: 50, failedAfter: "2025-02-08" }, { day: "2025-03-10", fee: 50, failedFirst: "2025-03-08" }],
    });
    // R2 €120/year, started in March from article B (campaign spring, variant b).
    await recurring({ supporterId: s2, amount: 12000, interval: "year", started: "2025-03-02", status: "active", article: "/news/b", campaign: "spring", variant: "b", paid: [{ day: "2025-03-02", fee: 400 }] });
    // R3 €5/month since December, ended by failed payments in March.
    await recurring({ supporterId: s3, amount: 500, interval: "month", started: "2024-12-01", status: "ended", reason: "payment_failed", ended: "2025-03-15", paid: [{ day: "2024-12-01", fee: 30 }, { day: "2025-01-01", fee: 30 }, { day: "2025-02-01", fee: 30 }] });
    // R4 €20/month since February, cancelled by the supporter, ended in March.
    await recurring({ supporterId: s3, amount: 2000, interval: "month", started: "2025-02-01", status: "ended", reason: "cancellation_requested", ended: "2025-03-20", paid: [{ day: "2025-02-01", fee: 60 }, { day: "2025-03-01", fee: 60 }] });
    // R5 €8/month since January, paused now.
    await recurring({ supporterId: s1, amount: 800, interval: "month", started: "2025-01-05", status: "paused", reason: "collection_paused", paid: [{ day: "2025-01-05", fee: 40 }] });
    // R6 €15/month since February, past due now.
    await recurring({ supporterId: s2, amount: 1500, interval: "month", started: "2025-02-15", status: "past_due", reason: "payment_failed", paid: [{ day: "2025-02-15", fee: 70 }] });

    await db.insert(staffMembers).values({ email: "finance@example.org", role: "finance", grantedBy: "admin@example.org" });
  });

  it("refuses a supporter, a manage link and nobody, and answers finance staff and configured admins", async () => {
    const supporter = await signedIn("one@example.org");
    for (const actor of [supporter, nobody, { kind: "manage_link" as const, recurringGiftId: crypto.randomUUID() }]) {
      await expect(periodFigures(actor, MARCH, getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(attribution(actor, MARCH, "article", getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(periodSeries(actor, MARCH, "eur", getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(latestActivity(actor, MARCH, getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await periodFigures(await signedIn("finance@example.org"), MARCH, getDb())).toHaveLength(2);
    expect(await periodFigures(await signedIn("Admin@Example.org"), MARCH, getDb())).toHaveLength(2);
  });

  it("adds up March per currency: gross, fees, refunds, disputes and nets, the dollar gift's euro settlement beside", async () => {
    const [eur, usd] = await periodFigures(await signedIn("finance@example.org"), MARCH, getDb());
    expect(eur).toMatchObject({
      currency: "eur",
      grossMinor: 33000,
      onceGrossMinor: 18000,
      recurringGrossMinor: 15000,
      payments: 6,
      oncePayments: 3,
      recurringPayments: 3,
      newGifts: 4,
      supporters: 3,
      refunds: 1,
      refundedMinor: 2000,
      disputes: 2,
      disputedMinor: 13000,
      disputesOpen: 0,
      disputesWon: 1,
      disputesLost: 1,
      unsettledPayments: 0,
      recovered: { payments: 1, amountMinor: 1000 },
    });
    expect(eur!.settlements).toEqual([
      {
        settlementCurrency: "eur",
        payments: 6,
        grossMinor: 33000,
        feeMinor: 1080,
        netMinor: 31920,
        refundNetMinor: -2000,
        refundFeeMinor: 0,
        disputeNetMinor: -13000,
        disputeFeeMinor: 3000,
        balanceNetMinor: 16920,
      },
    ]);
    expect(usd).toMatchObject({ currency: "usd", grossMinor: 4000, payments: 1, supporters: 1, refunds: 0, disputes: 0 });
    expect(usd!.settlements).toEqual([
      { settlementCurrency: "eur", payments: 1, grossMinor: 3700, feeMinor: 140, netMinor: 3560, refundNetMinor: 0, refundFeeMinor: 0, disputeNetMinor: 0, disputeFeeMinor: 0, balanceNetMinor: 3560 },
    ]);
  });

  it("counts each supporter once in a period, by the days they paid, at its edges and across months", async () => {
    const finance = await signedIn("finance@example.org");
    const supporters = async (from: string, to: string) =>
      Object.fromEntries((await periodFigures(finance, { from, to }, getDb())).map((f) => [f.currency, f.supporters]));
    // Days each supporter paid in euros: one 01-05, 03-03, 03-20; two 02-15, 03-02, 03-05;
    // three 2024-12-01, 01-01, 01-10, 02-01 (twice: R3 and R4), 02-10, 02-27, 03-01, 03-10. In dollars: one 03-15.
    expect(await supporters("2025-03-01", "2025-03-31")).toEqual({ eur: 3, usd: 1 });
    // Three's 02-27 and 03-01 both inside, across the month's edge; two's 03-02.
    expect(await supporters("2025-02-27", "2025-03-02")).toEqual({ eur: 2 });
    // One paid before (03-03) and after (03-20) but not inside: only two (03-05).
    expect(await supporters("2025-03-04", "2025-03-09")).toEqual({ eur: 1 });
    // Three's two payments on 02-01 and three more days: still one supporter, with two.
    expect(await supporters("2025-02-01", "2025-02-28")).toEqual({ eur: 2 });
    expect(await supporters("2025-02-01", "2025-02-01")).toEqual({ eur: 1 });
    // From a month's middle over whole months to another month's middle.
    expect(await supporters("2025-01-05", "2025-02-10")).toEqual({ eur: 2 });
    expect(await supporters("2025-01-02", "2025-03-04")).toEqual({ eur: 3 });
    expect(await supporters("2025-03-02", "2025-03-03")).toEqual({ eur: 2 });
    expect(await supporters("2024-12-15", "2025-01-04")).toEqual({ eur: 1 });
    expect(await supporters("2025-01-01", "2025-03-31")).toEqual({ eur: 3, usd: 1 });
    expect(await supporters("2024-12-01", "2025-11-30")).toEqual({ eur: 3, usd: 1 });
  });

  it("counts a renewal as recovered whichever of its payment and its failure was recorded first, and no longer once its failures are gone", async () => {
    const finance = await signedIn("finance@example.org");
    const recovered = async (from: string, to: string) => (await periodFigures(finance, { from, to }, getDb())).find((f) => f.currency === "eur")!.recovered;
    expect(await recovered("2025-02-01", "2025-02-28")).toEqual({ payments: 1, amountMinor: 1000 });
    expect(await recovered("2025-02-01", "2025-03-31")).toEqual({ payments: 2, amountMinor: 2000 });
    expect(await recovered("2025-01-01", "2025-01-31")).toEqual({ payments: 0, amountMinor: 0 });
    // February's invoice gets a second failure, then loses both: recovered until the last goes.
    const db = getDb();
    const [february] = await db.select().from(paymentFailures).where(eq(paymentFailures.failedAt, at("2025-02-08")));
    const { id: _id, recordedAt: _r, ...again } = february!;
    await db.insert(paymentFailures).values({ ...again, attemptCount: 2 });
    expect(await recovered("2025-02-01", "2025-02-28")).toEqual({ payments: 1, amountMinor: 1000 });
    await db.delete(paymentFailures).where(eq(paymentFailures.stripeInvoiceId, february!.stripeInvoiceId));
    expect(await recovered("2025-02-01", "2025-02-28")).toEqual({ payments: 0, amountMinor: 0 });
    expect(await rollupDifferences(db)).toEqual([]);
    await db.insert(paymentFailures).values(february!);
    expect(await recovered("2025-02-01", "2025-02-28")).toEqual({ payments: 1, amountMinor: 1000 });
  });

  it("counts recurring gifts: MRR with the annual gift as a twelfth, states now, started and ended in March by cause", async () => {
    const [eur] = await periodFigures(await signedIn("finance@example.org"), MARCH, getDb());
    expect(eur!.recurring).toEqual({
      // R1 €10 + R2 €120/12 + R6 €15 (past due still counts until it ends); paused R5 and the ended ones do not.
      mrrMinor: 3500,
      arrMinor: 42000,
      active: 2,
      cancelling: 0,
      paused: 1,
      pastDue: 1,
      pastDueMrrMinor: 1500,
      started: 1,
      endedBySupporter: 1,
      endedByFailedPayments: 1,
      endedOtherwise: 0,
    });
    // January's MRR: R1, R3 (R5 is paused now, so left out of the whole history).
    const january = await periodFigures(await signedIn("finance@example.org"), { from: "2025-01-01", to: "2025-01-31" }, getDb());
    expect(january.find((f) => f.currency === "eur")!.recurring.mrrMinor).toBe(1500);
  });

  it("gives monthly churn and the retention triangle", async () => {
    const finance = await signedIn("finance@example.org");
    expect(await monthlyChurn(finance, { from: "2025-02-01", to: "2025-03-31" }, "eur", getDb())).toEqual([
      // February began with R1 and R3; March with R1, R3, R4 and R6; R3 and R4 ended in March.
      { month: "2025-02-01", activeAtStart: 2, ended: 0, rate: 0 },
      { month: "2025-03-01", activeAtStart: 4, ended: 2, rate: 0.5 },
    ]);
    const cohorts = await cohortRetention(finance, MARCH, "eur", getDb());
    const upTo = (values: Array<number | null>) => values.slice(0, 5);
    expect(cohorts.map((c) => ({ start: c.startMonth, started: c.started, retained: upTo(c.retained) }))).toEqual([
      { start: "2024-12-01", started: 1, retained: [1, 1, 1, 0, null] },
      { start: "2025-01-01", started: 2, retained: [1, 1, 1, null, null] },
      { start: "2025-02-01", started: 2, retained: [1, 0.5, null, null, null] },
      { start: "2025-03-01", started: 1, retained: [1, null, null, null, null] },
    ]);
  });

  it("charts March by day: revenue, MRR at each day's end, gifts started and ended", async () => {
    const { bucket, points } = await periodSeries(await signedIn("finance@example.org"), MARCH, "eur", getDb());
    expect(bucket).toBe("day");
    expect(points).toHaveLength(31);
    const day = (d: string) => points.find((p) => p.bucket === d)!;
    expect(day("2025-03-01")).toMatchObject({ grossMinor: 2000, recurringGrossMinor: 2000, mrrMinor: 5000, started: 0, ended: 0 });
    expect(day("2025-03-02")).toMatchObject({ grossMinor: 12000, mrrMinor: 6000, started: 1 });
    expect(day("2025-03-15")).toMatchObject({ grossMinor: 0, mrrMinor: 5500, ended: 1 });
    expect(day("2025-03-20")).toMatchObject({ grossMinor: 3000, onceGrossMinor: 3000, mrrMinor: 3500, ended: 1 });
    expect(points.reduce((sum, p) => sum + p.grossMinor, 0)).toBe(33000);

    // Weekly over a quarter: each week's MRR is the one at its last day (or the period's), the ARR
    // before the period carried in; the first week starts on the Monday before the period.
    const weekly = await periodSeries(await signedIn("finance@example.org"), { from: "2025-01-01", to: "2025-03-31" }, "eur", getDb());
    expect(weekly.bucket).toBe("week");
    expect(weekly.points.map((p) => p.bucket)).toHaveLength(14);
    expect(weekly.points[0]!.bucket).toBe("2024-12-30");
    const week = (d: string) => weekly.points.find((p) => p.bucket === d)!;
    expect(week("2025-02-24")).toMatchObject({ mrrMinor: 6000, started: 1 });
    expect(week("2025-03-03")).toMatchObject({ mrrMinor: 6000, started: 0 });
    expect(week("2025-03-10")).toMatchObject({ mrrMinor: 5500, ended: 1 });
    expect(week("2025-03-17")).toMatchObject({ mrrMinor: 3500, ended: 1 });
    expect(week("2025-03-31")).toMatchObject({ mrrMinor: 3500 });
    // March's €330.00, and the €10.00 given on 27 February in the week that runs into March.
    expect(weekly.points.filter((p) => p.bucket >= "2025-02-24").reduce((sum, p) => sum + p.grossMinor, 0)).toBe(34000);
  });

  it("ranks articles and compares the campaign's variants, whole months and edge days alike", async () => {
    const finance = await signedIn("finance@example.org");
    const byArticle = await attribution(finance, MARCH, "article", getDb(), { today: at("2025-04-01") });
    expect(byArticle.map((r) => [r.key, r.currency, r.grossMinor, r.payments, r.gifts, r.recurringStarted, r.refunds, r.disputes])).toEqual([
      ["/news/b", "eur", 22000, 2, 2, 1, 0, 1],
      ["/news/a", "eur", 9000, 3, 2, 0, 1, 1],
      ["/world/c", "usd", 4000, 1, 1, 0, 0, 0],
      ["", "eur", 2000, 1, 0, 0, 0, 0],
    ]);
    // 2 to 10 March: edge days only.
    const early = await attribution(finance, { from: "2025-03-02", to: "2025-03-10" }, "article", getDb());
    expect(early.map((r) => [r.key, r.grossMinor])).toEqual([
      ["/news/b", 22000],
      ["/news/a", 6000],
    ]);
    const variants = await attribution(finance, MARCH, "variant", getDb());
    const a = variants.find((r) => r.key === "spring / a")!;
    const b = variants.find((r) => r.key === "spring / b")!;
    expect([a.grossMinor, b.grossMinor]).toEqual([8000, 22000]);
    const [recurringShare, refundsPerPayment] = compareVariants(a, b);
    expect(recurringShare).toMatchObject({ a: { hits: 0, of: 2 }, b: { hits: 1, of: 2 }, difference: 0.5 });
    expect(refundsPerPayment).toMatchObject({ a: { hits: 1, of: 2 }, b: { hits: 0, of: 2 }, difference: -0.5 });
    expect(refundsPerPayment!.margin95).toBeCloseTo(1.96 * Math.sqrt(0.25 / 2), 10);
  });

  it("reads a year of one dimension from that dimension's own rows: a row per key, not per combination of the four", async () => {
    const finance = await signedIn("finance@example.org");
    const year = { from: "2024-04-01", to: "2025-03-31" };
    // A year on: every recurring gift started in the period is old enough for retention (R3 and R4 ended within twelve months).
    const byCampaign = await attribution(finance, year, "campaign", getDb(), { today: at("2026-04-01") });
    expect(byCampaign.map((r) => [r.key, r.currency, r.grossMinor, r.payments, r.gifts, r.recurringStarted, r.retention12m, r.refunds, r.disputes])).toEqual([
      ["spring", "eur", 30000, 4, 4, 1, 1, 1, 2],
      ["", "eur", 11800, 11, 6, 5, 0.6, 0, 0],
      ["", "usd", 4000, 1, 1, 0, null, 0, 0],
    ]);
    const bySection = await attribution(finance, year, "section", getDb());
    expect(bySection.map((r) => [r.key, r.currency, r.grossMinor, r.payments, r.gifts])).toEqual([
      ["", "eur", 23800, 12, 7],
      ["news", "eur", 18000, 3, 3],
      ["world", "usd", 4000, 1, 1],
    ]);
    const march = await select<{ dimension: string; n: number }>(
      getDb(),
      sql`select dimension, count(*)::int n from finance_attribution where grain = 'month' and period = '2025-03-01' group by 1 order by 1`,
    );
    expect(march.map((r) => [r.dimension, r.n])).toEqual([
      ["article", 4],
      ["campaign", 3],
      ["section", 3],
      ["variant", 4],
    ]);
  });

  it("lists the latest of each kind with a link to Stripe's test Dashboard", async () => {
    const latest = await latestActivity(await signedIn("finance@example.org"), MARCH, getDb(), 3);
    expect(latest.payments.map((p) => [p.amountMinor, p.currency])).toEqual([
      [3000, "eur"],
      [4000, "usd"],
      [1000, "eur"],
    ]);
    expect(latest.payments[0]!.stripeUrl).toMatch(/^https:\/\/dashboard\.stripe\.com\/test\/payments\/pi_\d+$/);
    expect(latest.refunds.map((r) => [r.amountMinor, r.status])).toEqual([
      [500, "failed"],
      [2000, "succeeded"],
    ]);
    expect(latest.disputes.map((d) => [d.amountMinor, d.status])).toEqual([
      [3000, "won"],
      [10000, "lost"],
    ]);
  });

  it("keeps every rollup equal to a recomputation from the ledger, and the check sees a rollup that is off", async () => {
    expect(await rollupDifferences(getDb())).toEqual([]);
    await getDb().execute(sql`update finance_daily set gross_minor = gross_minor + 1 where day = '2025-03-03'`);
    const differences = await rollupDifferences(getDb());
    expect(differences.map((d) => d.rollup)).toEqual(["finance_daily"]);
    await getDb().execute(sql`update finance_daily set gross_minor = gross_minor - 1 where day = '2025-03-03'`);
    expect(await rollupDifferences(getDb())).toEqual([]);
  });
});
