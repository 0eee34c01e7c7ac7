import { and, asc, desc, eq, gte, inArray, isNotNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import { getDb, type Queryable } from "@/db";
import { disputes, gifts, payments, recurringGifts, refunds } from "@/db/schema";
import { type Actor, supporterIdOf } from "@/lib/supporters/actor";

/** Refunds that give money back: a failed or cancelled one gave nothing. The one list, shared with db/queries/payment-balances.ts. */
export const REFUND_STATUSES_THAT_COUNT = ["pending", "requires_action", "succeeded"];
// Stripe's dispute statuses: an inquiry closed without a chargeback is no dispute of the payment.
const OPEN_DISPUTE_STATUSES = ["warning_needs_response", "warning_under_review", "needs_response", "under_review"];

/**
 * What became of a payment, as the supporter sees it: paid; refunded in part or whole; disputed
 * (a chargeback under way), then lost (the bank took it back) or won (it stands).
 */
export type PaymentStatus = "paid" | "partly_refunded" | "refunded" | "disputed" | "dispute_lost" | "dispute_won";

export type PaymentHistoryLine = {
  paymentId: string;
  supporterId: string | null;
  paidAt: Date;
  amountMinor: number;
  currency: string;
  frequency: "once" | "monthly" | "annual";
  /** The charge's id: what the supporter's bank and Stripe know the payment by. */
  reference: string;
  /** Added to the gift to cover the card fee (one-time gifts; recurring gifts carry it on every payment). */
  feeCoveredMinor: number;
  refundedMinor: number;
  /** Taken back by a lost dispute (charge currency). */
  disputeLostMinor: number;
  disputeStatus: string | null;
  status: PaymentStatus;
  /** What the payment finally gave: amount less refunds and lost disputes, never below zero. */
  netMinor: number;
};

/**
 * Payments with their refunds and disputes, by the filter given: the one reading of the ledger that
 * the account, its receipts, the yearly statement (PDF and email) and the export share, so their
 * figures cannot differ.
 */
export async function paymentHistory(db: Queryable, where: SQL | undefined): Promise<PaymentHistoryLine[]> {
  const refundTotals = db
    .select({
      paymentId: refunds.paymentId,
      refundedMinor: sql<number>`sum(${refunds.amountMinor})`.mapWith(Number).as("refunded_minor"),
    })
    .from(refunds)
    .where(inArray(refunds.status, REFUND_STATUSES_THAT_COUNT))
    .groupBy(refunds.paymentId)
    .as("refund_totals");
  const disputeTotals = db
    .select({
      paymentId: disputes.paymentId,
      lostMinor: sql<number>`sum(case when ${disputes.status} = 'lost' then ${disputes.amountMinor} else 0 end)`.mapWith(Number).as("lost_minor"),
      // The most telling status if there were several: lost, then open, then won.
      status: sql<string>`(array_agg(${disputes.status} order by case
          when ${disputes.status} = 'lost' then 0
          when ${disputes.status} in ('warning_needs_response', 'warning_under_review', 'needs_response', 'under_review') then 1
          when ${disputes.status} = 'won' then 2 else 3 end, ${disputes.openedAt} desc))[1]`.as("dispute_status"),
    })
    .from(disputes)
    .groupBy(disputes.paymentId)
    .as("dispute_totals");

  const rows = await db
    .select({
      paymentId: payments.id,
      supporterId: payments.supporterId,
      paidAt: payments.paidAt,
      amountMinor: payments.amountMinor,
      currency: payments.currency,
      giftId: payments.giftId,
      recurringFrequency: recurringGifts.frequency,
      giftFeeCoveredMinor: gifts.feeCoveredMinor,
      recurringFeeCoveredMinor: recurringGifts.feeCoveredMinor,
      reference: payments.stripeChargeId,
      refundedMinor: sql<number>`coalesce(${refundTotals.refundedMinor}, 0)`.mapWith(Number),
      disputeLostMinor: sql<number>`coalesce(${disputeTotals.lostMinor}, 0)`.mapWith(Number),
      disputeStatus: disputeTotals.status,
    })
    .from(payments)
    .leftJoin(gifts, eq(gifts.id, payments.giftId))
    .leftJoin(recurringGifts, eq(recurringGifts.id, payments.recurringGiftId))
    .leftJoin(refundTotals, eq(refundTotals.paymentId, payments.id))
    .leftJoin(disputeTotals, eq(disputeTotals.paymentId, payments.id))
    .where(where)
    .orderBy(asc(payments.paidAt), asc(payments.stripeChargeId));

  return rows.map((row) => {
    // Capped so that amount = refunded + lost + net holds line by line, and so in every total.
    const refundedMinor = Math.min(row.amountMinor, row.refundedMinor);
    const disputeLostMinor = Math.min(row.amountMinor - refundedMinor, row.disputeLostMinor);

    return {
      paymentId: row.paymentId,
      supporterId: row.supporterId,
      paidAt: row.paidAt,
      amountMinor: row.amountMinor,
      currency: row.currency,
      frequency: row.giftId ? "once" : row.recurringFrequency === "annual" ? "annual" : "monthly",
      reference: row.reference,
      feeCoveredMinor: (row.giftId ? row.giftFeeCoveredMinor : row.recurringFeeCoveredMinor) ?? 0,
      refundedMinor,
      disputeLostMinor,
      disputeStatus: row.disputeStatus ?? null,
      status: statusOf(row.amountMinor, row.refundedMinor, row.disputeStatus ?? null),
      netMinor: row.amountMinor - refundedMinor - disputeLostMinor,
    };
  });
}

function statusOf(amountMinor: number, refundedMinor: number, disputeStatus: string | null): PaymentStatus {
  if (disputeStatus === "lost") return "dispute_lost";
  if (disputeStatus !== null && OPEN_DISPUTE_STATUSES.includes(disputeStatus)) return "disputed";
  if (refundedMinor >= amountMinor) return "refunded";
  if (refundedMinor > 0) return "partly_refunded";
  if (disputeStatus === "won") return "dispute_won";

  return "paid";
}

/** A supporter's payments: theirs by the payment, or by the gift or recurring gift it belongs to. */
export function ofSupporter(supporterId: string): SQL {
  return or(eq(payments.supporterId, supporterId), eq(gifts.supporterId, supporterId), eq(recurringGifts.supporterId, supporterId))!;
}

/** Payments made in a calendar year (UTC). */
export function inYear(year: number): SQL {
  return and(gte(payments.paidAt, new Date(Date.UTC(year, 0, 1))), lt(payments.paidAt, new Date(Date.UTC(year + 1, 0, 1))))!;
}

/** Payments that name a supporter (the yearly statements go to each). */
export const withSupporter = (): SQL => isNotNull(payments.supporterId);

/**
 * Every payment of the signed-in supporter, newest first: one-time gifts and each payment of a
 * recurring gift, with what became of it. Anyone else (a manage link, nobody, a signed-in address
 * that never gave) gets nothing: the check is here, not only on the page.
 */
export async function accountPayments(actor: Actor, db: Queryable = getDb()): Promise<PaymentHistoryLine[]> {
  const supporterId = await supporterIdOf(actor, db);
  if (!supporterId) return [];

  return (await paymentHistory(db, ofSupporter(supporterId))).reverse();
}

/** One payment of the signed-in supporter (its receipt), or null: someone else's payment is "not found". */
export async function accountPayment(actor: Actor, paymentId: string, db: Queryable = getDb()): Promise<PaymentHistoryLine | null> {
  if (!UUID.test(paymentId)) return null;
  const supporterId = await supporterIdOf(actor, db);
  if (!supporterId) return null;
  const [line] = await paymentHistory(db, and(eq(payments.id, paymentId), ofSupporter(supporterId)));

  return line ?? null;
}

/** The years the supporter gave in, newest first (for the statement links). */
export async function accountStatementYears(actor: Actor, db: Queryable = getDb()): Promise<number[]> {
  const supporterId = await supporterIdOf(actor, db);
  if (!supporterId) return [];
  const rows = await db
    .selectDistinct({ year: sql<number>`extract(year from ${payments.paidAt} at time zone 'UTC')::int`.mapWith(Number) })
    .from(payments)
    .leftJoin(gifts, eq(gifts.id, payments.giftId))
    .leftJoin(recurringGifts, eq(recurringGifts.id, payments.recurringGiftId))
    .where(ofSupporter(supporterId))
    .orderBy(desc(sql`1`));

  return rows.map((r) => r.year);
}

/** How many of the signed-in supporter's recurring gifts have not ended (erasure cancels them). */
export async function accountActiveRecurringGiftCount(actor: Actor, db: Queryable = getDb()): Promise<number> {
  const supporterId = await supporterIdOf(actor, db);
  if (!supporterId) return 0;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`.mapWith(Number) })
    .from(recurringGifts)
    .where(and(eq(recurringGifts.supporterId, supporterId), ne(recurringGifts.status, "ended")));

  return row?.n ?? 0;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
