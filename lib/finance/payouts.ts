import { and, asc, between, eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { disputes, payments, payoutTransactions, payouts, refunds } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { formatMoneyExact } from "@/lib/money";
import { requireStaff } from "@/lib/staff/staff";
import type { Actor } from "@/lib/supporters/actor";
import { reportingMode } from "./figures";
import { type Period, ZPeriod } from "./period";
import { num } from "./select";

/** Why one line of a payout is not accounted for by our ledger, to the cent. */
export type PayoutLineIssue =
  /** Stripe paid out a charge that is not one of our payments (its gift was never recorded, or it is not a gift). */
  | "unknown_charge"
  /** A refund that is not in our ledger. */
  | "unknown_refund"
  /** A dispute's withdrawal or reinstatement for a dispute not in our ledger. */
  | "unknown_dispute"
  /** Our payment has no fee and net yet (Stripe's charge.updated not applied). */
  | "fee_not_recorded"
  /** Our payment's fee or net (or settlement currency) is not the balance transaction's. */
  | "payment_differs"
  /** Our refund's net is not the balance transaction's. */
  | "refund_differs"
  /** Our dispute's net is not what its balance transactions in payouts add up to. */
  | "dispute_differs"
  /** Money of a kind our ledger does not keep (Stripe's own fees, a returned payout, a transfer…). */
  | "not_gift_money";

export type PayoutLine = {
  stripeBalanceTransactionId: string;
  /** Stripe's type and reporting category: charge, refund, adjustment (dispute), … */
  type: string;
  reportingCategory: string | null;
  /** ch_/py_ (a payment), re_ (a refund), du_ or the charge (a dispute). */
  sourceId: string | null;
  kind: "payment" | "refund" | "dispute" | "other";
  /** Stripe's figures, in the payout's currency. */
  amountMinor: number;
  feeMinor: number;
  netMinor: number;
  currency: string;
  /** Our rows it matched, by Stripe's ids. */
  paymentId: string | null;
  refundId: string | null;
  disputeId: string | null;
  /** The net our ledger accounts for this line (0 for a line it lacks). */
  ledgerNetMinor: number;
  /** Stripe's net less our ledger's: zero for a line that reconciles. */
  differenceMinor: number;
  issue: { code: PayoutLineIssue; message: string } | null;
};

export type PayoutCauseCode =
  | PayoutLineIssue
  /** Pending or in transit: Stripe lists what a payout carried once it is paid. */
  | "not_yet_paid"
  /** Failed or canceled: the money went back to the Stripe balance, to go out in a later payout. */
  | "payout_failed"
  /** Paid, but we have not recorded what it carried yet (its events not yet applied). */
  | "not_yet_listed"
  /** Stripe's lines do not add up to the payout's amount (a listing taken before Stripe finished). */
  | "transactions_do_not_sum";

export type PayoutCause = {
  code: PayoutCauseCode;
  message: string;
  /** How much of the payout's difference this cause explains; the causes add up to it. */
  differenceMinor: number;
  /** The line it concerns, for a cause that is a line's. */
  stripeBalanceTransactionId: string | null;
};

export type PayoutReconciliation = {
  stripePayoutId: string;
  amountMinor: number;
  currency: string;
  status: string;
  /** The day Stripe expects it in the bank (UTC), YYYY-MM-DD. */
  arrivalDate: string;
  createdAt: Date;
  automatic: boolean;
  /** When we recorded Stripe's complete list of what it carried; null until then. */
  reconciledAt: Date | null;
  /** How many balance transactions it carried (its own is not one of them). */
  lineCount: number;
  /** What it carried, oldest first; the payout's own balance transaction is not among them. Empty for a payout that reconciles when only the unreconciled ones' lines were asked for. */
  transactions: PayoutLine[];
  /** Stripe's nets of those lines, added up. */
  transactionsNetMinor: number;
  /** What our ledger accounts for of them. */
  ledgerNetMinor: number;
  /** Paid, and our ledger accounts for every cent of it, line by line. */
  reconciles: boolean;
  /** The payout's amount less what our ledger accounts for; the causes' differences add up to it. */
  differenceMinor: number;
  /** Empty when it reconciles. */
  causes: PayoutCause[];
  /** The payout in Stripe's Dashboard (test or live, as the figures). */
  stripeUrl: string;
};

const PAYMENT_TYPES = new Set(["charge", "payment"]);
const REFUND_TYPES = new Set(["refund", "payment_refund"]);

// The same classification as the linking triggers in db/migrations/0006_payouts.sql.
function kindOf(type: string, reportingCategory: string | null, sourceId: string | null): PayoutLine["kind"] {
  if (PAYMENT_TYPES.has(type)) return "payment";
  if (REFUND_TYPES.has(type)) return "refund";
  if (reportingCategory === "dispute" || reportingCategory === "dispute_reversal" || (type === "adjustment" && sourceId?.startsWith("du_"))) return "dispute";

  return "other";
}

/**
 * Each payout arriving in the period (by Stripe's arrival date, both ends included), with what it
 * carried matched line by line against our payments, refunds and disputes: whether our ledger
 * accounts for every cent of it, and where it does not, which lines and why. Finance staff only.
 *
 * `lines: "unreconciled"` (the /finance page) reads the lines only of payouts that may not
 * reconcile: the triggers keep each payout's count of carried lines, their net and how many our
 * ledger does not account for, and a paid payout whose lines all match and add up to its amount
 * reconciles without reading them (its `transactions` are then empty; `lineCount` says how many).
 */
export async function payoutsFor(actor: Actor, period: Period, db: Queryable, options: { lines?: "all" | "unreconciled" } = {}): Promise<PayoutReconciliation[]> {
  await requireStaff(actor, "finance", db);
  const parsed = ZPeriod.safeParse(period);
  if (!parsed.success) throw new AppError("INVALID_INPUT", parsed.error.issues[0]?.message ?? "Not a period");
  const mode = reportingMode();
  const rows = await db
    .select()
    .from(payouts)
    .where(and(eq(payouts.livemode, mode), between(payouts.arrivalDate, parsed.data.from, parsed.data.to)))
    .orderBy(asc(payouts.arrivalDate), asc(payouts.createdAtStripe), asc(payouts.stripePayoutId));
  if (rows.length === 0) return [];
  const toRead = options.lines === "unreconciled" ? rows.filter((payout) => !reconcilesByCounts(payout)) : rows;
  const lines =
    toRead.length === 0
      ? []
      : await db
          .select({
            line: payoutTransactions,
            payment: { feeMinor: payments.feeMinor, netMinor: payments.netMinor, settlementCurrency: payments.settlementCurrency },
            refund: { netMinor: refunds.netMinor, settlementCurrency: refunds.settlementCurrency },
            dispute: { netMinor: disputes.netMinor, status: disputes.status },
            // A dispute's balance transactions can go out in different payouts (withdrawn in one,
            // reinstated in a later one), and our ledger keeps only their sum: compared across payouts.
            disputePaidOut: sql<string>`(select coalesce(sum(o.net_minor), 0) from ${payoutTransactions} o where o.dispute_id = ${payoutTransactions.disputeId})`,
            disputeReinstated: sql<boolean>`exists (select 1 from ${payoutTransactions} o where o.dispute_id = ${payoutTransactions.disputeId} and o.net_minor > 0)`,
          })
          .from(payoutTransactions)
          .leftJoin(payments, eq(payments.id, payoutTransactions.paymentId))
          .leftJoin(refunds, eq(refunds.id, payoutTransactions.refundId))
          .leftJoin(disputes, eq(disputes.id, payoutTransactions.disputeId))
          .where(
            and(
              inArray(
                payoutTransactions.payoutId,
                toRead.map((r) => r.id),
              ),
              eq(payoutTransactions.own, false),
            ),
          )
          .orderBy(asc(payoutTransactions.createdAtStripe), asc(payoutTransactions.stripeBalanceTransactionId));

  // Grouped once: a year of daily payouts carries hundreds of thousands of lines, and scanning them
  // all for each payout took minutes.
  const linesOf = new Map<string, typeof lines>();
  for (const l of lines) {
    const list = linesOf.get(l.line.payoutId);
    if (list) list.push(l);
    else linesOf.set(l.line.payoutId, [l]);
  }
  const read = new Set(toRead.map((payout) => payout.id));

  return rows.map((payout) => (read.has(payout.id) ? reconcile(payout, linesOf.get(payout.id) ?? []) : reconciled(payout)));
}

/** Paid, every carried line accounted for by our ledger, and their nets add up to the amount. */
function reconcilesByCounts(payout: Row): boolean {
  return payout.status === "paid" && payout.unmatchedLinesCount === 0 && payout.linesNetMinor === payout.amountMinor && (payout.linesCount > 0 || payout.amountMinor === 0);
}

/** A payout that reconciles by its counts, without its lines. */
function reconciled(payout: Row): PayoutReconciliation {
  return {
    ...identity(payout),
    lineCount: payout.linesCount,
    transactions: [],
    transactionsNetMinor: payout.linesNetMinor,
    ledgerNetMinor: payout.linesNetMinor,
    reconciles: true,
    differenceMinor: 0,
    causes: [],
  };
}

function identity(payout: Row) {
  return {
    stripePayoutId: payout.stripePayoutId,
    amountMinor: payout.amountMinor,
    currency: payout.currency,
    status: payout.status,
    arrivalDate: payout.arrivalDate,
    createdAt: payout.createdAtStripe,
    automatic: payout.automatic,
    reconciledAt: payout.reconciledAt,
    stripeUrl: `https://dashboard.stripe.com/${payout.livemode === "test" ? "test/" : ""}payouts/${payout.stripePayoutId}`,
  };
}

type Row = typeof payouts.$inferSelect;
type Joined = {
  line: typeof payoutTransactions.$inferSelect;
  payment: { feeMinor: number | null; netMinor: number | null; settlementCurrency: string | null } | null;
  refund: { netMinor: number | null; settlementCurrency: string | null } | null;
  dispute: { netMinor: number; status: string } | null;
  disputePaidOut: string;
  disputeReinstated: boolean;
};

function reconcile(payout: Row, carried: Joined[]): PayoutReconciliation {
  const money = (minor: number) => formatMoneyExact(minor, payout.currency);
  const transactions = carried.map((j) => matchLine(j, money));
  // A dispute whose lines do not add up to our dispute's net: the difference is this payout's
  // share (our net less what its lines in other payouts carried), put on its first line here.
  const disputesSeen = new Set<string>();
  for (const [index, line] of transactions.entries()) {
    const joined = carried[index]!;
    if (line.kind !== "dispute" || joined.dispute === null || disputesSeen.has(line.disputeId!)) continue;
    disputesSeen.add(line.disputeId!);
    const here = transactions.filter((l) => l.disputeId === line.disputeId);
    const hereNet = here.reduce((sum, l) => sum + l.netMinor, 0);
    const everywhereNet = num(joined.disputePaidOut);
    if (everywhereNet === joined.dispute.netMinor) continue;
    // Won after its withdrawal went out: our net already counts the reinstatement Stripe will pay out later.
    if (joined.dispute.status === "won" && !joined.disputeReinstated) continue;
    const share = joined.dispute.netMinor - (everywhereNet - hereNet);
    line.ledgerNetMinor = share - (hereNet - line.netMinor);
    line.differenceMinor = hereNet - share;
    line.issue = {
      code: "dispute_differs",
      message: `Our ledger has the dispute ${line.sourceId} at ${money(joined.dispute.netMinor)}; its balance transactions paid out come to ${money(everywhereNet)}.`,
    };
  }

  const transactionsNetMinor = transactions.reduce((sum, l) => sum + l.netMinor, 0);
  const ledgerNetMinor = transactions.reduce((sum, l) => sum + l.ledgerNetMinor, 0);
  const causes: PayoutCause[] = [];
  if (payout.status === "pending" || payout.status === "in_transit") {
    causes.push({
      code: "not_yet_paid",
      message: `The payout is ${payout.status.replace("_", " ")}: Stripe lists what it carried once it is paid.`,
      differenceMinor: payout.amountMinor - transactionsNetMinor,
      stripeBalanceTransactionId: null,
    });
  } else if (payout.status === "failed" || payout.status === "canceled") {
    causes.push({
      code: "payout_failed",
      message: `The payout ${payout.status === "failed" ? "failed" : "was canceled"}: its money went back to the Stripe balance and goes out in a later payout.`,
      differenceMinor: payout.amountMinor - transactionsNetMinor,
      stripeBalanceTransactionId: null,
    });
  } else if (transactions.length === 0 && payout.amountMinor !== 0) {
    causes.push({
      code: "not_yet_listed",
      message: "The payout is paid, but what it carried is not recorded yet (its events are still to be applied).",
      differenceMinor: payout.amountMinor,
      stripeBalanceTransactionId: null,
    });
  } else if (transactionsNetMinor !== payout.amountMinor) {
    causes.push({
      code: "transactions_do_not_sum",
      message:
        `Stripe's balance transactions for the payout come to ${money(transactionsNetMinor)}, not ${money(payout.amountMinor)}` +
        (payout.reconciledAt === null ? ": the list was taken before Stripe had finished it." : "."),
      differenceMinor: payout.amountMinor - transactionsNetMinor,
      stripeBalanceTransactionId: null,
    });
  }
  for (const line of transactions) {
    if (line.issue) {
      causes.push({ code: line.issue.code, message: line.issue.message, differenceMinor: line.differenceMinor, stripeBalanceTransactionId: line.stripeBalanceTransactionId });
    }
  }
  const differenceMinor = payout.amountMinor - ledgerNetMinor;

  return {
    ...identity(payout),
    lineCount: transactions.length,
    transactions,
    transactionsNetMinor,
    ledgerNetMinor,
    reconciles: payout.status === "paid" && causes.length === 0 && differenceMinor === 0,
    differenceMinor,
    causes,
  };
}

/** One line against the row of ours it is linked to (a dispute's is settled in `reconcile`). */
function matchLine({ line, payment, refund, dispute }: Joined, money: (minor: number) => string): PayoutLine {
  const kind = kindOf(line.type, line.reportingCategory, line.sourceId);
  const base = {
    stripeBalanceTransactionId: line.stripeBalanceTransactionId,
    type: line.type,
    reportingCategory: line.reportingCategory,
    sourceId: line.sourceId,
    kind,
    amountMinor: line.amountMinor,
    feeMinor: line.feeMinor,
    netMinor: line.netMinor,
    currency: line.currency,
    paymentId: line.paymentId,
    refundId: line.refundId,
    disputeId: line.disputeId,
  };
  const explained = { ...base, ledgerNetMinor: line.netMinor, differenceMinor: 0, issue: null };
  const lacking = (code: PayoutLineIssue, message: string): PayoutLine => ({ ...base, ledgerNetMinor: 0, differenceMinor: line.netMinor, issue: { code, message } });
  const source = line.sourceId ?? "(no source)";

  switch (kind) {
    case "payment": {
      if (payment === null) return lacking("unknown_charge", `Stripe paid out the charge ${source} (${money(line.netMinor)} net), which is not a payment in our ledger.`);
      if (payment.netMinor === null || payment.feeMinor === null) {
        return lacking("fee_not_recorded", `Our payment for ${source} has no fee and net yet; Stripe's are ${money(line.feeMinor)} and ${money(line.netMinor)}.`);
      }
      if (payment.feeMinor !== line.feeMinor || payment.netMinor !== line.netMinor || payment.settlementCurrency?.trim() !== line.currency.trim()) {
        const ledgerNetMinor = payment.settlementCurrency?.trim() === line.currency.trim() ? payment.netMinor : 0;

        return {
          ...base,
          ledgerNetMinor,
          differenceMinor: line.netMinor - ledgerNetMinor,
          issue: {
            code: "payment_differs",
            message: `Our payment for ${source} has fee ${formatMoneyExact(payment.feeMinor, payment.settlementCurrency ?? line.currency)} and net ${formatMoneyExact(payment.netMinor, payment.settlementCurrency ?? line.currency)}; Stripe's balance transaction has ${money(line.feeMinor)} and ${money(line.netMinor)}.`,
          },
        };
      }

      return explained;
    }
    case "refund": {
      if (refund === null) return lacking("unknown_refund", `Stripe paid out the refund ${source} (${money(line.netMinor)}), which is not in our ledger.`);
      if (refund.netMinor !== line.netMinor || refund.settlementCurrency?.trim() !== line.currency.trim()) {
        const ledgerNetMinor = refund.netMinor !== null && refund.settlementCurrency?.trim() === line.currency.trim() ? refund.netMinor : 0;

        return {
          ...base,
          ledgerNetMinor,
          differenceMinor: line.netMinor - ledgerNetMinor,
          issue: {
            code: "refund_differs",
            message: `Our refund ${source} has net ${refund.netMinor === null ? "not recorded" : formatMoneyExact(refund.netMinor, refund.settlementCurrency ?? line.currency)}; Stripe's balance transaction has ${money(line.netMinor)}.`,
          },
        };
      }

      return explained;
    }
    case "dispute":
      if (dispute === null) return lacking("unknown_dispute", `Stripe paid out ${money(line.netMinor)} for the dispute ${source}, which is not in our ledger.`);

      return explained;
    case "other":
      return lacking("not_gift_money", `Stripe paid out ${money(line.netMinor)} of type ${line.type}${line.reportingCategory ? ` (${line.reportingCategory})` : ""}, money our ledger does not keep.`);
  }
}
