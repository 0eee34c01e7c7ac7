import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { disputes, payments, refunds } from "@/db/schema";
import { addDays, type Period } from "@/lib/finance/period";
import { reconciliationReport, repairReconciliation } from "@/lib/finance/reconcile";
import { rollupDifferences } from "@/lib/finance/rollup-check";
import type { Actor } from "@/lib/supporters/actor";
import { signedIn } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { ensureGiftProducts, giveOnce } from "../../support/gifts";
import { clearLedger, drainUntilSettled } from "../../support/ledger";
import { control, deliver, eventsAfter, lastEventId, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

// Its own stand-in: the report lists everything Stripe holds for the period, so only this file's gifts.
usePrivateSandbox();
const database = useTestDatabase();

const utcDay = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

describe(`reconciliation of refunds and disputes with Stripe on ${database.kind}`, () => {
  let admin: Actor;
  let period: Period;
  let refund: Stripe.Refund;
  let dispute: Stripe.Dispute;
  let ghostRefundId: string;

  beforeAll(async () => {
    await clearLedger();
    await ensureGiftProducts();
    admin = await signedIn("admin@example.org");
    const marker = await lastEventId();
    const refunded = await giveOnce({ email: "refunded@example.org", amount: 3000 });
    const disputed = await giveOnce({ email: "disputed@example.org", amount: 5000 });
    const chargeOf = async (session: Stripe.Checkout.Session) =>
      ((await sandboxStripe().checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] })).payment_intent as Stripe.PaymentIntent).latest_charge as string;
    refund = await sandboxStripe().refunds.create({ charge: await chargeOf(refunded.session), amount: 1000 });
    dispute = await control<Stripe.Dispute>("POST", `/_sandbox/charges/${await chargeOf(disputed.session)}/dispute`, { reason: "fraudulent" });
    const all = await eventsAfter(marker);
    period = { from: addDays(utcDay(Math.min(...all.map((e) => e.created))), -1), to: addDays(utcDay(Math.max(...all.map((e) => e.created))), 1) };
    await deliver(all);
    await drainUntilSettled();
  });

  it("agrees with Stripe when every webhook arrived", async () => {
    const report = await reconciliationReport(admin, period, getDb());
    expect({ missing: report.missing, differs: report.differs, ledgerOnly: report.ledgerOnly }).toEqual({ missing: [], differs: [], ledgerOnly: [] });
    expect(report.checked).toEqual({ gift: 2, recurring_gift: 0, payment: 2, refund: 1, dispute: 1 });
  });

  it("reports a refund and a dispute whose amount or status differ, with both values, and a refund Stripe has no such object for", async () => {
    await getDb().update(refunds).set({ status: "failed" }).where(eq(refunds.stripeRefundId, refund.id));
    await getDb().update(disputes).set({ status: "lost", amountMinor: 4999 }).where(eq(disputes.stripeDisputeId, dispute.id));
    const [payment] = await getDb().select().from(payments).where(eq(payments.stripeChargeId, refund.charge as string));
    ghostRefundId = "re_ledger_only_1";
    await getDb()
      .insert(refunds)
      .values({
        paymentId: payment!.id,
        stripeRefundId: ghostRefundId,
        stripeChargeId: payment!.stripeChargeId,
        amountMinor: 500,
        currency: "eur",
        status: "succeeded",
        refundedAt: new Date(`${period.from}T12:00:00Z`),
        stripeSyncedAt: new Date(`${period.from}T12:00:00Z`),
      });

    const report = await reconciliationReport(admin, period, getDb());
    expect(report.missing).toEqual([]);
    expect(report.differs.map(({ kind, stripeId, differences }) => ({ kind, stripeId, differences }))).toEqual([
      { kind: "refund", stripeId: refund.id, differences: [{ field: "status", ledger: "failed", stripe: "succeeded" }] },
      {
        kind: "dispute",
        stripeId: dispute.id,
        differences: [
          { field: "amount", ledger: 4999, stripe: 5000 },
          { field: "status", ledger: "lost", stripe: "needs_response" },
        ],
      },
    ]);
    expect(report.ledgerOnly).toEqual([
      expect.objectContaining({ kind: "refund", stripeId: ghostRefundId, amountMinor: 500, currency: "eur", note: "Stripe has no such object" }),
    ]);
    // The rollups followed the hand-made changes as they would the webhooks'.
    expect(await rollupDifferences(getDb())).toEqual([]);
  });

  it("a repair applies Stripe's own events for the refund and the dispute; the ledger-only refund stays flagged for a person to look at", async () => {
    const outcome = await repairReconciliation(admin, period, "/finance/reconcile");
    expect(outcome.events).toBeGreaterThan(0);
    expect(outcome.applied.failed).toBe(0);
    expect({ missing: outcome.after.missing, differs: outcome.after.differs }).toEqual({ missing: [], differs: [] });
    expect(outcome.after.ledgerOnly.map((i) => i.stripeId)).toEqual([ghostRefundId]);
    const [fixedRefund] = await getDb().select().from(refunds).where(eq(refunds.stripeRefundId, refund.id));
    const [fixedDispute] = await getDb().select().from(disputes).where(eq(disputes.stripeDisputeId, dispute.id));
    expect([fixedRefund!.status, fixedDispute!.status, fixedDispute!.amountMinor]).toEqual(["succeeded", "needs_response", 5000]);
    expect(await rollupDifferences(getDb())).toEqual([]);
  });
});
