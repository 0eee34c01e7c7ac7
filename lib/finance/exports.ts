import { z } from "zod";
import { getDb, type Queryable } from "@/db";
import { disputes, payments, payoutTransactions, refunds } from "@/db/schema";
import {
  type DisputeExportRow,
  disputesExportBatch,
  type ExportKeyset,
  freshenStatistics,
  type ExportWindow,
  type PaymentExportRow,
  paymentsExportBatch,
  payoutLinesExportBatch,
  type PayoutLineExportRow,
  type RefundExportRow,
  refundsExportBatch,
} from "@/db/queries/finance-exports";
import { AppError } from "@/lib/errors";
import { minorToDecimal } from "@/lib/money";
import { audit, requireStaff } from "@/lib/staff/staff";
import type { Actor } from "@/lib/supporters/actor";
import { fieldErrors } from "@/lib/validation";
import { type Cell, csvLine, numeric } from "./csv";

/**
 * CSV exports of the ledger for finance staff: every payment, refund or dispute of a period, one
 * row each, read a batch at a time as the download is read (db/queries/finance-exports.ts). Money
 * is in minor units with its currency; the gross amount also as a decimal in major units. Fee, net
 * and settlement amount are in the settlement currency, as Stripe's balance transactions give them.
 * No supporter's name or address is in them: the Stripe ids lead to the rest, for those who may.
 */

export const EXPORT_KINDS = ["payments", "refunds", "disputes", "payouts"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The longest period one export covers: a year's payments in one file, and three for a comparison. */
export const MAX_EXPORT_YEARS = 3;
const DEFAULT_BATCH_SIZE = 1000;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC starting the day, or null for text that is not a day the calendar has ("2026-02-30"). */
function startOfDay(text: string): Date | null {
  const match = DAY.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1970 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;

  return date;
}

const ZDay = (name: "from" | "to", which: "first" | "last") => {
  const shape = `Give the period's ${which} day (${name}) as YYYY-MM-DD, like ?from=2026-01-01&to=2026-12-31.`;

  return z
    .string({ error: shape })
    .regex(DAY, shape)
    .refine((text) => startOfDay(text) !== null, { error: (issue) => `The period's ${which} day (${name}), ${String(issue.input)}, is not a day the calendar has.` });
};

/** A period of whole UTC days, both ends included. */
export const ZExportPeriod = z
  .object({ from: ZDay("from", "first"), to: ZDay("to", "last") })
  .refine(({ from, to }) => !(startOfDay(from) && startOfDay(to)) || from <= to, {
    path: ["to"],
    error: "The period ends before it starts: its last day (to) must be on or after its first (from).",
  })
  .refine(({ from, to }) => !(startOfDay(from) && startOfDay(to)) || startOfDay(to)! < yearsLater(startOfDay(from)!, MAX_EXPORT_YEARS), {
    path: ["to"],
    error: `The period is longer than ${MAX_EXPORT_YEARS} years: export it in parts.`,
  });

export type TExportPeriod = z.infer<typeof ZExportPeriod>;

/** The same day n years on; 29 February goes on to 1 March when that year has none. */
function yearsLater(date: Date, years: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear() + years, date.getUTCMonth(), date.getUTCDate()));
}

function isExportKind(kind: string): kind is ExportKind {
  return (EXPORT_KINDS as readonly string[]).includes(kind);
}

/** The instants a period covers: from its first day's midnight to the midnight after its last. */
function windowOf(period: TExportPeriod): ExportWindow {
  const start = startOfDay(period.from)!;
  const last = startOfDay(period.to)!;

  return { start, end: new Date(last.getTime() + 86_400_000) };
}

type ExportSpec<Row extends { keyAt: string; id: string }> = {
  header: readonly string[];
  /** The tables whose size decides how the batches are read (freshenStatistics). */
  tables: Parameters<typeof freshenStatistics>[1];
  batch: (db: Queryable, window: ExportWindow, after: ExportKeyset | null, limit: number) => Promise<Row[]>;
  cells: (row: Row) => Cell[];
};

const decimal = (amountMinor: number, currency: string) => numeric(minorToDecimal(amountMinor, currency));

function frequencyOf(row: PaymentExportRow): string | null {
  if (row.recurringGiftId === null) return row.giftFrequency;
  // A subscription changed by hand in Stripe to an interval we do not offer: Stripe's own words.
  return row.recurringFrequency ?? (row.interval ? `every ${row.intervalCount} ${row.interval}` : null);
}

const PAYMENTS: ExportSpec<PaymentExportRow> = {
  header: [
    "paid_at",
    "payment_intent",
    "charge",
    "invoice",
    "balance_transaction",
    "kind",
    "billing_reason",
    "frequency",
    "amount",
    "amount_minor",
    "currency",
    "settlement_currency",
    "settlement_amount_minor",
    "fee_minor",
    "net_minor",
    "exchange_rate",
    "refunded_minor",
    "livemode",
    "article_url",
    "section",
    "campaign",
    "variant",
  ],
  tables: [payments, refunds],
  batch: paymentsExportBatch,
  cells: (row) => [
    row.paidAt,
    row.paymentIntent,
    row.charge,
    row.invoice,
    row.balanceTransaction,
    row.recurringGiftId === null ? "once" : "recurring",
    row.billingReason,
    frequencyOf(row),
    decimal(row.amountMinor, row.currency),
    row.amountMinor,
    row.currency,
    row.settlementCurrency,
    row.settlementAmountMinor,
    row.feeMinor,
    row.netMinor,
    row.exchangeRate === null ? null : numeric(row.exchangeRate),
    row.refundedMinor,
    row.livemode,
    row.articleUrl,
    row.section,
    row.campaign,
    row.variant,
  ],
};

const REFUNDS: ExportSpec<RefundExportRow> = {
  header: [
    "refunded_at",
    "refund",
    "charge",
    "payment_intent",
    "amount",
    "amount_minor",
    "currency",
    "status",
    "reason",
    "settlement_currency",
    "settlement_amount_minor",
    "fee_minor",
    "net_minor",
    "balance_transaction",
    "livemode",
  ],
  tables: [refunds],
  batch: refundsExportBatch,
  cells: (row) => [
    row.refundedAt,
    row.refund,
    row.charge,
    row.paymentIntent,
    decimal(row.amountMinor, row.currency),
    row.amountMinor,
    row.currency,
    row.status,
    row.reason,
    row.settlementCurrency,
    row.settlementAmountMinor,
    row.feeMinor,
    row.netMinor,
    row.balanceTransaction,
    row.livemode,
  ],
};

const DISPUTES: ExportSpec<DisputeExportRow> = {
  header: [
    "opened_at",
    "dispute",
    "charge",
    "payment_intent",
    "amount",
    "amount_minor",
    "currency",
    "status",
    "reason",
    "evidence_due_by",
    "settlement_currency",
    "settlement_amount_minor",
    "fee_minor",
    "net_minor",
    "livemode",
  ],
  tables: [disputes],
  batch: disputesExportBatch,
  cells: (row) => [
    row.openedAt,
    row.dispute,
    row.charge,
    row.paymentIntent,
    decimal(row.amountMinor, row.currency),
    row.amountMinor,
    row.currency,
    row.status,
    row.reason,
    row.evidenceDueBy,
    row.settlementCurrency,
    row.settlementAmountMinor,
    row.feeMinor,
    row.netMinor,
    row.livemode,
  ],
};

// One row per line a payout carried, the payout's own figures beside it: the lines of one payout
// add up to its amount, which is how a bank statement is matched to gifts.
const PAYOUTS: ExportSpec<PayoutLineExportRow> = {
  header: [
    "arrival_date",
    "payout",
    "payout_amount_minor",
    "payout_currency",
    "payout_status",
    "balance_transaction",
    "created_at",
    "type",
    "reporting_category",
    "source",
    "amount_minor",
    "fee_minor",
    "net_minor",
    "currency",
    "payment_intent",
    "refund",
    "dispute",
    "livemode",
  ],
  tables: [payoutTransactions],
  batch: payoutLinesExportBatch,
  cells: (row) => [
    row.arrivalDate,
    row.payout,
    row.payoutAmountMinor,
    row.payoutCurrency,
    row.payoutStatus,
    row.balanceTransaction,
    row.createdAt,
    row.type,
    row.reportingCategory,
    row.source,
    row.amountMinor,
    row.feeMinor,
    row.netMinor,
    row.currency,
    row.paymentIntent,
    row.refund,
    row.dispute,
    row.livemode,
  ],
};

/**
 * The header, then one chunk of lines per batch, each batch read only when the one before has been
 * taken: a consumer that reads slowly (a slow download) holds the reads back.
 */
async function* csvChunks<Row extends { keyAt: string; id: string }>(spec: ExportSpec<Row>, db: Queryable, window: ExportWindow, batchSize: number) {
  yield csvLine(spec.header);
  await freshenStatistics(db, spec.tables);
  let after: ExportKeyset | null = null;
  for (;;) {
    const rows = await spec.batch(db, window, after, batchSize);
    if (rows.length === 0) return;
    yield rows.map((row) => csvLine(spec.cells(row))).join("");
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.keyAt, id: last.id };
  }
}

function chunksOf(kind: ExportKind, db: Queryable, window: ExportWindow, batchSize: number): AsyncGenerator<string, void, undefined> {
  switch (kind) {
    case "payments":
      return csvChunks(PAYMENTS, db, window, batchSize);
    case "refunds":
      return csvChunks(REFUNDS, db, window, batchSize);
    case "disputes":
      return csvChunks(DISPUTES, db, window, batchSize);
    case "payouts":
      return csvChunks(PAYOUTS, db, window, batchSize);
    default:
      return kind satisfies never;
  }
}

export type FinanceExport = {
  kind: ExportKind;
  period: TExportPeriod;
  /** readerfund-payments-2026-01-01-to-2026-12-31.csv */
  filename: string;
  /** The CSV text in order: the header, then a chunk per batch of rows. Read it once. */
  chunks: AsyncGenerator<string, void, undefined>;
};

/**
 * Starts an export of one kind for a period: only for finance staff (and admins), checked here
 * whatever page asked; then the period is checked, and the audit log records who exported what
 * (with the page, a path) before a row is read. A refusal writes nothing.
 */
export async function startFinanceExport(
  actor: Actor,
  input: { kind: string; from: string | null | undefined; to: string | null | undefined },
  context: { page: string },
  db: Queryable = getDb(),
  options: { batchSize?: number } = {},
): Promise<FinanceExport> {
  const staff = await requireStaff(actor, "finance", db);
  if (!isExportKind(input.kind)) {
    const message = `There is no export of "${input.kind.slice(0, 40)}": choose ${EXPORT_KINDS.join(", ")}.`;
    throw new AppError("INVALID_INPUT", message, { fieldErrors: { kind: message } });
  }
  const parsed = ZExportPeriod.safeParse({ from: input.from ?? undefined, to: input.to ?? undefined });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    throw new AppError("INVALID_INPUT", Object.values(errors)[0] ?? "The period is not valid.", { fieldErrors: errors });
  }
  const period = parsed.data;
  await audit(db, staff, { action: "finance.export", target: input.kind, page: context.page, details: { from: period.from, to: period.to } });

  return {
    kind: input.kind,
    period,
    filename: `readerfund-${input.kind}-${period.from}-to-${period.to}.csv`,
    chunks: chunksOf(input.kind, db, windowOf(period), options.batchSize ?? DEFAULT_BATCH_SIZE),
  };
}
