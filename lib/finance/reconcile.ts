import { and, eq, gte, inArray, lt } from "drizzle-orm";
import type Stripe from "stripe";
import { getDb, type Queryable } from "@/db";
import { disputes, gifts, payments, recurringGifts, refunds } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { subscriptionFacts } from "@/lib/recurring/subscription-facts";
import { audit, requireStaff } from "@/lib/staff/staff";
import { getWorkerStripe } from "@/lib/stripe/client";
import { readGiftMetadata } from "@/lib/stripe/metadata";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { isGiftCharge } from "@/lib/stripe/webhooks/charge-ownership";
import { isHandledEventType } from "@/lib/stripe/webhooks/handlers";
import { settlementOf } from "@/lib/stripe/webhooks/settlement";
import type { Actor } from "@/lib/supporters/actor";
import { requeueEvents } from "./inbox";
import { addDays, type Period } from "./period";

export type ReconciliationKind = "gift" | "recurring_gift" | "payment" | "refund" | "dispute";
export type Difference = {
  field: string;
  ledger: string | number | null;
  stripe: string | number | null;
};

export type ReconciliationItem = {
  kind: ReconciliationKind;
  stripeId: string;
  /** When Stripe created it (for a ledger-only row, what the ledger says). */
  created: Date;
  amountMinor: number | null;
  currency: string | null;
  /** For `differs`: each field that differs, with both values. */
  differences: Difference[];
  /** For `ledgerOnly`: why Stripe does not account for it. */
  note: string | null;
  /** Stripe ids whose events apply this object (itself, its session, its charge, its invoice). */
  related: string[];
};

export type ReconciliationReport = {
  period: Period;
  /** In Stripe for the period, not in the ledger. */
  missing: ReconciliationItem[];
  /** In both, but an amount, a status or a fee differs. */
  differs: ReconciliationItem[];
  /** In the ledger for the period, but Stripe has no such object, or not in that period: unexpected. */
  ledgerOnly: ReconciliationItem[];
  /** How many Stripe objects of ours were compared, by kind. */
  checked: Record<ReconciliationKind, number>;
};

const LIST_CAP = 10_000;
const unix = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000);
const at = (seconds: number) => new Date(seconds * 1000);
const idOf = (value: string | { id: string } | null | undefined) => (value == null ? null : typeof value === "string" ? value : value.id);

function item(
  kind: ReconciliationKind,
  stripeId: string,
  created: Date,
  amountMinor: number | null,
  currency: string | null,
  related: Array<string | null>,
): ReconciliationItem {
  return {
    kind,
    stripeId,
    created,
    amountMinor,
    currency,
    differences: [],
    note: null,
    related: [...new Set([stripeId, ...related.filter((r): r is string => !!r)])],
  };
}

function compare(differences: Difference[], field: string, ledger: string | number | null, stripe: string | number | null): void {
  if (ledger !== stripe) differences.push({ field, ledger, stripe });
}

/**
 * Finance staff: what Stripe holds for the period (objects created in it, UTC days, both ends
 * included), read through the API page by page, against the ledger, by Stripe id. Our completed
 * Checkout Sessions (one-time gifts and recurring gifts), succeeded charges (payments: amount, fee
 * and net), refunds and disputes of our charges (amount, status) and our subscriptions (amount,
 * status). Then the ledger's rows of the period that Stripe did not list, each looked up on its own.
 */
export async function reconciliationReport(actor: Actor, period: Period, db: Queryable): Promise<ReconciliationReport> {
  await requireStaff(actor, "finance", db);

  return buildReport(period, db);
}

async function buildReport(period: Period, db: Queryable): Promise<ReconciliationReport> {
  const stripe = getWorkerStripe();
  const created = { gte: unix(period.from), lt: unix(addDays(period.to, 1)) };
  const report: ReconciliationReport = {
    period,
    missing: [],
    differs: [],
    ledgerOnly: [],
    checked: { gift: 0, recurring_gift: 0, payment: 0, refund: 0, dispute: 0 },
  };
  // A missing object already on the list through another of its ids (a missing gift's payment and
  // subscription) is counted, not listed again: one line per gift.
  const place = (found: ReconciliationItem, inLedger: boolean) => {
    report.checked[found.kind]++;
    const listed = report.missing.find((m) => found.related.some((id) => m.related.includes(id)));
    // Its ids join the line's, so a repair applies its events too.
    if (!inLedger && listed) listed.related = [...new Set([...listed.related, ...found.related])];
    else if (!inLedger) report.missing.push(found);
    else if (found.differences.length > 0) report.differs.push(found);
  };
  const seen = new Set<string>();
  try {
    // Checkout Sessions: a one-time gift is the session's; a recurring gift is linked to its session.
    const sessions = await stripe.checkout.sessions.list({ created, limit: 100 }).autoPagingToArray({ limit: LIST_CAP });
    const ourSessions = sessions.filter((s) => s.status === "complete" && readGiftMetadata(s.metadata).isOurs);
    const giftRows = byStripeId(
      await db
        .select()
        .from(gifts)
        .where(
          inArray(
            gifts.stripeCheckoutSessionId,
            ourSessions.map((s) => s.id),
          ),
        ),
      (g) => g.stripeCheckoutSessionId,
    );
    const recurringBySession = byStripeId(
      await db
        .select()
        .from(recurringGifts)
        .where(
          inArray(
            recurringGifts.stripeCheckoutSessionId,
            ourSessions.map((s) => s.id),
          ),
        ),
      (g) => g.stripeCheckoutSessionId,
    );
    for (const session of ourSessions) {
      seen.add(session.id);
      if (session.mode === "payment") {
        // An unpaid session (a delayed method still settling) is not a gift yet.
        if (session.payment_status !== "paid") continue;
        const found = item("gift", session.id, at(session.created), session.amount_total, session.currency, [idOf(session.payment_intent)]);
        const row = giftRows.get(session.id);
        if (row) {
          compare(found.differences, "amount", row.amountMinor, session.amount_total);
          compare(found.differences, "currency", row.currency, session.currency);
        }
        place(found, !!row);
      } else if (session.mode === "subscription") {
        const found = item("recurring_gift", session.id, at(session.created), session.amount_total, session.currency, [
          idOf(session.subscription),
          idOf(session.invoice),
        ]);
        place(found, recurringBySession.has(session.id));
      }
    }

    // Subscriptions: amount and status as Stripe has them now.
    const subscriptions = await stripe.subscriptions.list({ created, status: "all", limit: 100 }).autoPagingToArray({ limit: LIST_CAP });
    const ourSubscriptions = subscriptions.filter((s) => readGiftMetadata(s.metadata).isOurs);
    const recurringRows = byStripeId(
      await db
        .select()
        .from(recurringGifts)
        .where(
          inArray(
            recurringGifts.stripeSubscriptionId,
            ourSubscriptions.map((s) => s.id),
          ),
        ),
      (g) => g.stripeSubscriptionId,
    );
    for (const subscription of ourSubscriptions) {
      seen.add(subscription.id);
      const facts = subscriptionFacts(subscription, new Date(), {
        knownOurs: true,
      })!;
      const found = item("recurring_gift", subscription.id, at(subscription.created), facts.amountMinor, facts.currency, [idOf(subscription.latest_invoice)]);
      const row = recurringRows.get(subscription.id);
      if (row) {
        compare(found.differences, "amount", row.amountMinor, facts.amountMinor);
        compare(found.differences, "status", row.stripeStatus, subscription.status);
      }
      place(found, !!row);
    }

    // Charges: a payment each, with the fee and net of its balance transaction.
    const charges = await stripe.charges
      .list({
        created,
        limit: 100,
        expand: ["data.balance_transaction", "data.payment_intent"],
      })
      .autoPagingToArray({ limit: LIST_CAP });
    const paymentRows = byStripeId(
      await db
        .select()
        .from(payments)
        .where(
          inArray(
            payments.stripeChargeId,
            charges.map((c) => c.id),
          ),
        ),
      (p) => p.stripeChargeId,
    );
    const ourCharges = new Set(paymentRows.keys());
    for (const charge of charges) {
      if (charge.status !== "succeeded") continue;
      const row = paymentRows.get(charge.id);
      if (!row && !(await isGiftCharge(stripe, charge))) continue;
      ourCharges.add(charge.id);
      seen.add(charge.id);
      const paymentIntentId = idOf(charge.payment_intent);
      const found = item("payment", charge.id, at(charge.created), charge.amount, charge.currency, [
        paymentIntentId,
        ...(await invoiceOf(stripe, paymentIntentId, row?.stripeInvoiceId)),
      ]);
      if (row) {
        compare(found.differences, "amount", row.amountMinor, charge.amount);
        const settlement = settlementOf(charge);
        if (settlement) {
          compare(found.differences, "fee", row.feeMinor, settlement.feeMinor);
          compare(found.differences, "net", row.netMinor, settlement.netMinor);
          compare(found.differences, "settlement currency", row.settlementCurrency, settlement.settlementCurrency);
        }
      }
      place(found, !!row);
    }

    // Refunds and disputes of our charges.
    const isOurs = async (chargeId: string | null) => {
      if (!chargeId) return false;
      if (!ourCharges.has(chargeId) && (await isGiftCharge(stripe, chargeId))) ourCharges.add(chargeId);

      return ourCharges.has(chargeId);
    };
    const refundList = await stripe.refunds.list({ created, limit: 100 }).autoPagingToArray({ limit: LIST_CAP });
    const refundRows = byStripeId(
      await db
        .select()
        .from(refunds)
        .where(
          inArray(
            refunds.stripeRefundId,
            refundList.map((r) => r.id),
          ),
        ),
      (r) => r.stripeRefundId,
    );
    for (const refund of refundList) {
      const row = refundRows.get(refund.id);
      if (!row && !(await isOurs(idOf(refund.charge)))) continue;
      seen.add(refund.id);
      const found = item("refund", refund.id, at(refund.created), refund.amount, refund.currency, [idOf(refund.charge)]);
      if (row) {
        compare(found.differences, "amount", row.amountMinor, refund.amount);
        compare(found.differences, "status", row.status, refund.status);
      }
      place(found, !!row);
    }
    const disputeList = await stripe.disputes.list({ created, limit: 100 }).autoPagingToArray({ limit: LIST_CAP });
    const disputeRows = byStripeId(
      await db
        .select()
        .from(disputes)
        .where(
          inArray(
            disputes.stripeDisputeId,
            disputeList.map((d) => d.id),
          ),
        ),
      (d) => d.stripeDisputeId,
    );
    for (const dispute of disputeList) {
      const row = disputeRows.get(dispute.id);
      if (!row && !(await isOurs(idOf(dispute.charge)))) continue;
      seen.add(dispute.id);
      const found = item("dispute", dispute.id, at(dispute.created), dispute.amount, dispute.currency, [idOf(dispute.charge)]);
      if (row) {
        compare(found.differences, "amount", row.amountMinor, dispute.amount);
        compare(found.differences, "status", row.status, dispute.status);
      }
      place(found, !!row);
    }

    report.ledgerOnly = await ledgerOnly(stripe, period, db, seen);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as { type?: unknown }).type !== undefined && String((error as { type?: unknown }).type).startsWith("Stripe")) {
      throw new AppError("STRIPE_UNAVAILABLE", "Stripe could not be read just now; nothing was compared. Please try again.", { cause: error });
    }
    throw error;
  }

  return report;
}

/** Rows by their Stripe id. */
function byStripeId<T>(rows: T[], key: (row: T) => string | null): Map<string, T> {
  return new Map(rows.flatMap((row) => (key(row) ? [[key(row)!, row] as const] : [])));
}

/** The invoice a subscription's payment paid (through Stripe's invoice payments), for its invoice.paid events. */
async function invoiceOf(stripe: Stripe, paymentIntentId: string | null, known: string | null | undefined): Promise<string[]> {
  if (known) return [known];
  if (!paymentIntentId) return [];
  const found = await stripe.invoicePayments.list({
    payment: { type: "payment_intent", payment_intent: paymentIntentId },
    limit: 1,
  });
  const invoice = idOf(found.data[0]?.invoice as string | { id: string } | undefined);

  return invoice ? [invoice] : [];
}

/** Rows the ledger dates in the period that Stripe's lists did not account for, each looked up in Stripe. */
async function ledgerOnly(stripe: Stripe, period: Period, db: Queryable, seen: Set<string>): Promise<ReconciliationItem[]> {
  const from = new Date(`${period.from}T00:00:00Z`);
  const to = new Date(`${addDays(period.to, 1)}T00:00:00Z`);
  const inPeriod = (created: number) => created >= from.getTime() / 1000 && created < to.getTime() / 1000;
  const candidates: Array<{
    kind: ReconciliationKind;
    id: string;
    at: Date;
    amount: number;
    currency: string;
    look: () => Promise<{ created: number }>;
  }> = [];
  for (const g of await db
    .select()
    .from(gifts)
    .where(and(gte(gifts.givenAt, from), lt(gifts.givenAt, to)))) {
    candidates.push({
      kind: "gift",
      id: g.stripeCheckoutSessionId,
      at: g.givenAt,
      amount: g.amountMinor,
      currency: g.currency,
      look: () => stripe.checkout.sessions.retrieve(g.stripeCheckoutSessionId),
    });
  }
  for (const r of await db
    .select()
    .from(recurringGifts)
    .where(and(gte(recurringGifts.startedAt, from), lt(recurringGifts.startedAt, to)))) {
    candidates.push({
      kind: "recurring_gift",
      id: r.stripeSubscriptionId,
      at: r.startedAt,
      amount: r.amountMinor,
      currency: r.currency,
      look: () => stripe.subscriptions.retrieve(r.stripeSubscriptionId),
    });
  }
  for (const p of await db
    .select()
    .from(payments)
    .where(and(gte(payments.paidAt, from), lt(payments.paidAt, to)))) {
    candidates.push({
      kind: "payment",
      id: p.stripeChargeId,
      at: p.paidAt,
      amount: p.amountMinor,
      currency: p.currency,
      look: () => stripe.charges.retrieve(p.stripeChargeId),
    });
  }
  for (const r of await db
    .select()
    .from(refunds)
    .where(and(gte(refunds.refundedAt, from), lt(refunds.refundedAt, to)))) {
    candidates.push({
      kind: "refund",
      id: r.stripeRefundId,
      at: r.refundedAt,
      amount: r.amountMinor,
      currency: r.currency,
      look: () => stripe.refunds.retrieve(r.stripeRefundId),
    });
  }
  for (const d of await db
    .select()
    .from(disputes)
    .where(and(gte(disputes.openedAt, from), lt(disputes.openedAt, to)))) {
    candidates.push({
      kind: "dispute",
      id: d.stripeDisputeId,
      at: d.openedAt,
      amount: d.amountMinor,
      currency: d.currency,
      look: () => stripe.disputes.retrieve(d.stripeDisputeId),
    });
  }
  const out: ReconciliationItem[] = [];
  for (const candidate of candidates) {
    if (seen.has(candidate.id)) continue;
    let note: string;
    try {
      const object = await candidate.look();
      // Dated differently by Stripe (a payment recorded a moment after its charge, across midnight): not ours to flag.
      if (!inPeriod(object.created)) continue;
      note = "Stripe has it in this period but does not count it as ours (metadata or status)";
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      note = "Stripe has no such object";
    }
    out.push({
      ...item(candidate.kind, candidate.id, candidate.at, candidate.amount, candidate.currency, []),
      note,
    });
  }

  return out;
}

export type RepairOutcome = {
  /** Stripe events put in the inbox (new) or made due again (already there), then applied. */
  events: number;
  applied: { processed: number; failed: number };
  /** Payments whose fee and net were written from Stripe's balance transaction over what the ledger held. */
  corrected: number;
  /** The report after the repair. */
  after: ReconciliationReport;
};

/**
 * Admins only: repairs what the report finds, the way the webhooks would have. For each missing or
 * differing object, Stripe's own events about it (listed through the API since the period began)
 * are stored in the inbox as if delivered, or made due again if already there, and applied at once
 * by the same handlers, which re-read Stripe. A payment's fee and net, which a webhook only fills
 * when missing, are written from its balance transaction when the ledger holds other values.
 * Idempotent: a second repair finds nothing to do and changes nothing. One audit line with counts.
 */
export async function repairReconciliation(actor: Actor, period: Period, page: string): Promise<RepairOutcome> {
  const db = getDb();
  await requireStaff(actor, "admin", db);
  const before = await buildReport(period, db);
  const toRepair = [...before.missing, ...before.differs];
  const related = new Set(toRepair.flatMap((i) => i.related));
  const stripe = getWorkerStripe();

  let events: Stripe.Event[] = [];
  if (related.size > 0) {
    // Events come after what they are about (a refund months after its payment): from the period's start on.
    const all = await stripe.events.list({ created: { gte: unix(period.from) }, limit: 100 }).autoPagingToArray({ limit: LIST_CAP });
    events = all.filter((event) => {
      if (!isHandledEventType(event.type)) return false;
      const object = event.data.object as {
        id?: unknown;
        payment_intent?: unknown;
      };

      return related.has(String(object.id)) || (typeof object.payment_intent === "string" && related.has(object.payment_intent));
    });
  }
  const queued =
    events.length === 0
      ? 0
      : (
          await db.transaction((tx) =>
            requeueEvents(
              tx,
              events.map((event) => ({ id: event.id, body: event })),
            ),
          )
        ).length;
  // One batch, so the handlers apply them in Stripe's order (a payment before its fee, before its refund).
  const applied = queued > 0 ? await drainStripeEvents({ batchSize: 100 }) : { processed: 0, failed: 0 };

  // Fees a webhook would not overwrite.
  let corrected = 0;
  const midway = queued > 0 ? await buildReport(period, db) : before;
  for (const found of midway.differs) {
    if (found.kind !== "payment" || !found.differences.some((d) => ["fee", "net", "settlement currency"].includes(d.field))) continue;
    const charge = await stripe.charges.retrieve(found.stripeId, {
      expand: ["balance_transaction"],
    });
    const settlement = settlementOf(charge);
    if (!settlement) continue;
    const rows = await db.update(payments).set(settlement).where(eq(payments.stripeChargeId, charge.id)).returning({ id: payments.id });
    corrected += rows.length;
  }
  const after = corrected > 0 ? await buildReport(period, db) : midway;
  const staff = await requireStaff(actor, "admin", db);
  await audit(db, staff, {
    action: "reconcile.repair",
    page,
    target: `${period.from}..${period.to}`,
    details: {
      missing: before.missing.length,
      differs: before.differs.length,
      events: queued,
      corrected,
      left: after.missing.length + after.differs.length,
    },
  });

  return { events: queued, applied, corrected, after };
}
