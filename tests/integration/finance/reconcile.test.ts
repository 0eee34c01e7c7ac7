import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { repairAction } from "@/app/finance/reconcile/actions";
import ReconcilePage from "@/app/finance/reconcile/page";
import { getDb } from "@/db";
import { payments, stripeEvents } from "@/db/schema";
import { addDays, type Period } from "@/lib/finance/period";
import { reconciliationReport, repairReconciliation } from "@/lib/finance/reconcile";
import { grantRole } from "@/lib/staff/manage";
import { type Actor, nobody } from "@/lib/supporters/actor";
import { signedIn, signedInSession } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { ensureGiftProducts, giveOnce, startRecurringGift } from "../../support/gifts";
import { clearLedger, drainUntilSettled, type LedgerSnapshot, ledgerSnapshot } from "../../support/ledger";
import { auditIds, auditSince, pageOutcome, post } from "../../support/staff";
import { deliver, eventsAfter, lastEventId, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

// The session cookie the page and the action read (lib/auth/current-actor.ts): the test sets whose it is.
const session = vi.hoisted(() => ({ value: null as string | null }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  cookies: (await import("../../support/next")).cookieJarOf(session),
}));
vi.mock("next/cache", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  revalidatePath: () => {},
}));
vi.stubEnv("__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS", "true");
const signInAs = async (email: string | null) => {
  session.value = email ? (await signedInSession(email)).token : null;
};

// Its own stand-in: the report lists everything Stripe holds for the period, so only this file's gifts.
usePrivateSandbox();
const database = useTestDatabase();

const ADMIN = "admin@example.org";
const PAGE = "/finance/reconcile";
const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;
const utcDay = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

async function chargeOf(session: Stripe.Checkout.Session): Promise<Stripe.Charge> {
  const paid = await sandboxStripe().checkout.sessions.retrieve(session.id, {
    expand: ["payment_intent.latest_charge.balance_transaction"],
  });

  return (paid.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
}

describe(`reconciliation with Stripe on ${database.kind}`, () => {
  let admin: Actor;
  let finance: Actor;
  let financeEmail: string;
  let period: Period;
  let delivered: LedgerSnapshot;
  let kept: Stripe.Event[];
  let neverDelivered: Stripe.Checkout.Session;
  let monthlySession: Stripe.Checkout.Session;
  let altered: Stripe.Charge;

  beforeAll(async () => {
    await clearLedger();
    await ensureGiftProducts();
    admin = await signedIn(ADMIN);
    financeEmail = unique("finance");
    await grantRole(admin, { email: financeEmail, role: "finance" }, "/finance/staff");
    finance = await signedIn(financeEmail);

    const marker = await lastEventId();
    const first = await giveOnce({ email: unique("first"), amount: 2500 });
    const second = await giveOnce({ email: unique("second"), amount: 4000 });
    const beforeMonthly = await lastEventId();
    const monthly = await startRecurringGift({ email: unique("monthly"), amount: 1000 });
    const all = await eventsAfter(marker);
    const monthlyIds = new Set((await eventsAfter(beforeMonthly)).map((e) => e.id));
    // The period the objects were created in, by the stand-in's clock (a day either side of its days).
    const created = all.map((e) => e.created);
    period = {
      from: addDays(utcDay(Math.min(...created)), -1),
      to: addDays(utcDay(Math.max(...created)), 1),
    };

    // The run where every webhook arrived: the ledger a repair must reach.
    await deliver(all);
    await drainUntilSettled();
    delivered = await ledgerSnapshot();

    // The run to repair: the webhooks of the second gift and of the monthly gift never arrived, and the first payment's fee was changed by hand.
    await clearLedger();
    neverDelivered = second.session;
    monthlySession = monthly.session;
    const secondIds = new Set(second.events.map((e) => e.id));
    kept = all.filter((e) => !secondIds.has(e.id) && !monthlyIds.has(e.id));
    await deliver(kept);
    await drainUntilSettled();
    altered = await chargeOf(first.session);
    await getDb()
      .update(payments)
      .set({
        feeMinor: sql`${payments.feeMinor} + 7`,
        netMinor: sql`${payments.netMinor} - 7`,
      })
      .where(eq(payments.stripeChargeId, altered.id));
  });

  it("reports gifts whose webhooks never arrived (one-time and monthly) as missing, and a payment whose fee differs with the field and both values", async () => {
    const report = await reconciliationReport(finance, period, getDb());
    // One line per gift: the monthly gift's subscription and payment are its session's line.
    expect(report.missing).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "gift", stripeId: neverDelivered.id, amountMinor: 4000, currency: "eur" }),
        expect.objectContaining({ kind: "recurring_gift", stripeId: monthlySession.id, amountMinor: 1000, currency: "eur" }),
      ]),
    );
    expect(report.missing).toHaveLength(2);
    const bt = altered.balance_transaction as Stripe.BalanceTransaction;
    expect(report.differs).toEqual([
      expect.objectContaining({
        kind: "payment",
        stripeId: altered.id,
        differences: [
          { field: "fee", ledger: bt.fee + 7, stripe: bt.fee },
          { field: "net", ledger: bt.net - 7, stripe: bt.net },
        ],
      }),
    ]);
    expect(report.ledgerOnly).toEqual([]);
    expect(report.checked).toEqual({ gift: 2, recurring_gift: 2, payment: 3, refund: 0, dispute: 0 });
  });

  it("the page shows the report for the period asked; admins get Repair, finance staff do not and are refused it", async () => {
    const search = {
      searchParams: Promise.resolve({ from: period.from, to: period.to }),
    };
    await signInAs(financeEmail);
    const asFinance = await pageOutcome(() => ReconcilePage(search));
    if (!("html" in asFinance)) throw new Error(JSON.stringify(asFinance));
    expect(asFinance.html).toContain("2 missing, 1 differing, 0 only in the ledger");
    expect(asFinance.html).toContain(neverDelivered.id);
    expect(asFinance.html).toMatch(/fee: ledger \d+, Stripe \d+/);
    expect(asFinance.html).not.toContain("Repair</button>");
    expect(await post(repairAction, period)).toMatchObject({
      ok: false,
      code: "FORBIDDEN",
    });

    await signInAs(ADMIN);
    const asAdmin = await pageOutcome(() => ReconcilePage(search));
    expect("html" in asAdmin && asAdmin.html).toContain("Repair</button>");
    const badPeriod = await pageOutcome(() =>
      ReconcilePage({
        searchParams: Promise.resolve({ from: "2026-13-45", to: period.to }),
      }),
    );
    expect("html" in badPeriod && badPeriod.html).toMatch(/role="alert"[^>]*>from is not a real date/);
    await signInAs(unique("reader"));
    expect(await pageOutcome(() => ReconcilePage(search))).toEqual({
      status: 403,
    });
  });

  it("finance staff may not repair; a supporter and nobody may not read the report either", async () => {
    const supporter = await signedIn(unique("reader"));
    const before = await ledgerSnapshot();
    await expect(repairReconciliation(finance, period, PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
    for (const who of [supporter, nobody]) {
      await expect(reconciliationReport(who, period, getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(repairReconciliation(who, period, PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await ledgerSnapshot()).toEqual(before);
  });

  it("a repair applies Stripe's own events and corrects the fee: the ledger then equals the run where everything arrived; a second repair changes nothing", async () => {
    const seen = await auditIds();
    const outcome = await repairReconciliation(admin, period, PAGE);
    expect(outcome.events).toBeGreaterThan(0);
    expect(outcome.corrected).toBe(1);
    expect(outcome.after).toMatchObject({
      missing: [],
      differs: [],
      ledgerOnly: [],
    });
    // The second gift's events are in the inbox now, as if delivered, and applied.
    const stored = await getDb().select().from(stripeEvents).where(eq(stripeEvents.objectId, neverDelivered.id));
    expect(stored).toEqual([
      expect.objectContaining({
        type: "checkout.session.completed",
        status: "processed",
      }),
    ]);
    await drainUntilSettled();
    expect(await ledgerSnapshot()).toEqual(delivered);
    expect(await auditSince(seen)).toEqual([
      expect.objectContaining({
        actorEmail: ADMIN,
        action: "reconcile.repair",
        page: PAGE,
        target: `${period.from}..${period.to}`,
        details: {
          missing: 2,
          differs: 1,
          events: outcome.events,
          corrected: 1,
          left: 0,
        },
      }),
    ]);

    const inbox = await getDb().select().from(stripeEvents).orderBy(stripeEvents.id);
    const again = await repairReconciliation(admin, period, PAGE);
    expect(again).toMatchObject({
      events: 0,
      corrected: 0,
      applied: { processed: 0, failed: 0 },
    });
    expect(await ledgerSnapshot()).toEqual(delivered);
    expect(await getDb().select().from(stripeEvents).orderBy(stripeEvents.id)).toEqual(inbox);
  });
});
