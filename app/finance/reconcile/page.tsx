import type { Metadata } from "next";
import { getDb } from "@/db";
import { monthToDate, ZPeriod } from "@/lib/finance/period";
import { type ReconciliationItem, reconciliationReport } from "@/lib/finance/reconcile";
import { staffForPage } from "@/lib/staff/page-access";
import { formatMoneyExact } from "@/lib/money";
import { When } from "../_components/when";
import "../_components/admin-pages.css";
import { RepairForm } from "./repair-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = {
  title: "Reconciliation",
  robots: { index: false, follow: false },
};

type Props = {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? "";

const KIND: Record<ReconciliationItem["kind"], string> = {
  gift: "One-time gift",
  recurring_gift: "Recurring gift",
  payment: "Payment",
  refund: "Refund",
  dispute: "Dispute",
};

function Items({ id, caption, items, detail }: { id: string; caption: string; items: ReconciliationItem[]; detail: (item: ReconciliationItem) => string }) {
  if (items.length === 0) return null;

  return (
    <div className="table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table data-testid={id}>
        <caption id={`${id}-caption`}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">Stripe id</th>
            <th scope="col">Created</th>
            <th scope="col">Amount</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={`${item.kind}:${item.stripeId}`}>
              <td>{KIND[item.kind]}</td>
              <th scope="row">
                <code>{item.stripeId}</code>
              </th>
              <td>
                <When at={item.created} />
              </td>
              <td>{item.amountMinor !== null && item.currency ? formatMoneyExact(item.amountMinor, item.currency) : ""}</td>
              <td>{detail(item)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * /finance/reconcile: for a period (UTC days, by when Stripe created each object), what Stripe holds
 * that the ledger lacks or disagrees with, and what the ledger holds that Stripe does not. Read from
 * Stripe's API when the form is sent. Finance staff read it; admins also repair.
 */
export default async function ReconcilePage({ searchParams }: Props) {
  const params = await searchParams;
  const { actor, staff } = await staffForPage("finance", "/finance/reconcile");
  const asked = one(params.from) || one(params.to) ? ZPeriod.safeParse({ from: one(params.from), to: one(params.to) }) : null;
  const period = asked?.success ? asked.data : monthToDate(new Date());
  const report = asked?.success ? await reconciliationReport(actor, period, getDb()) : null;
  const problem = asked && !asked.success ? asked.error.issues[0]!.message : null;
  const toRepair = report ? report.missing.length + report.differs.length : 0;

  return (
    <section className="thanks finance-page" lang="en" aria-labelledby="reconcile-heading" data-testid="reconcile-page">
      <h1 id="reconcile-heading">Reconciliation</h1>
      <p>
        Compares what Stripe holds for a period with our ledger, object by object: Checkout Sessions, subscriptions, charges, refunds and disputes created in
        the period. It reads Stripe&apos;s API, so it takes a moment.
      </p>
      <form
        className="period-form"
        method="get"
        action="/finance/reconcile"
        aria-label="Period to reconcile"
        aria-describedby={problem ? "reconcile-problem" : undefined}
      >
        <label>
          From
          <input type="date" name="from" defaultValue={period.from} required />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={period.to} required />
        </label>
        <button type="submit">Compare</button>
      </form>
      {problem && (
        <p id="reconcile-problem" role="alert" className="flag">
          {problem}
        </p>
      )}

      {report && (
        <section aria-labelledby="report-heading" data-testid="reconcile-report">
          <h2 id="report-heading">
            From {report.period.from} to {report.period.to}
          </h2>
          <p role="status">
            Compared {report.checked.gift} one-time gifts, {report.checked.recurring_gift} recurring gifts, {report.checked.payment} payments,{" "}
            {report.checked.refund} refunds and {report.checked.dispute} disputes.{" "}
            {toRepair + report.ledgerOnly.length === 0
              ? "The ledger agrees with Stripe."
              : `${report.missing.length} missing, ${report.differs.length} differing, ${report.ledgerOnly.length} only in the ledger.`}
          </p>
          <Items id="missing" caption="In Stripe, not in the ledger" items={report.missing} detail={() => "missing"} />
          <Items
            id="differs"
            caption="In both, but different"
            items={report.differs}
            detail={(item) => item.differences.map((d) => `${d.field}: ledger ${d.ledger ?? "none"}, Stripe ${d.stripe ?? "none"}`).join("; ")}
          />
          <Items
            id="ledger-only"
            caption="In the ledger, not in Stripe for this period (unexpected)"
            items={report.ledgerOnly}
            detail={(item) => item.note ?? ""}
          />
          {toRepair > 0 &&
            (staff.role === "admin" ? (
              <RepairForm from={report.period.from} to={report.period.to} />
            ) : (
              <p className="hint">Repairing is for the newsroom&apos;s admins.</p>
            ))}
        </section>
      )}
    </section>
  );
}
