import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import type { Actor } from "@/lib/supporters/actor";
import { requireStaff } from "@/lib/staff/staff";
import { reportingMode } from "./figures";
import { addDays, type Period } from "./period";
import { num, select } from "./select";

export type LatestItem = {
  kind: "payment" | "refund" | "dispute";
  at: Date;
  amountMinor: number;
  currency: string;
  status: string;
  detail: string | null;
  /** The object in Stripe's Dashboard (test or live, as the figures). */
  stripeUrl: string;
};

function dashboard(path: string): string {
  return `https://dashboard.stripe.com/${reportingMode() === "test" ? "test/" : ""}${path}`;
}

/** The latest payments, refunds and disputes of the period, newest first, each linking to its Stripe object. */
export async function latestActivity(actor: Actor, period: Period, db: Queryable, limit = 10): Promise<{ payments: LatestItem[]; refunds: LatestItem[]; disputes: LatestItem[] }> {
  await requireStaff(actor, "finance", db);
  const mode = reportingMode();
  const from = period.from;
  const until = addDays(period.to, 1);
  const payments = await select<Record<string, unknown>>(
    db,
    sql`select paid_at at, amount_minor amount, currency, stripe_payment_intent_id id,
          case when recurring_gift_id is null then 'one-time' else coalesce(billing_reason, 'recurring') end detail
        from payments where livemode = ${mode} and paid_at >= ${from}::date and paid_at < ${until}::date order by paid_at desc limit ${limit}`,
  );
  const refunds = await select<Record<string, unknown>>(
    db,
    sql`select r.refunded_at at, r.amount_minor amount, r.currency, r.status, r.reason detail, p.stripe_payment_intent_id id
        from refunds r join payments p on p.id = r.payment_id
        where p.livemode = ${mode} and r.refunded_at >= ${from}::date and r.refunded_at < ${until}::date order by r.refunded_at desc limit ${limit}`,
  );
  const disputes = await select<Record<string, unknown>>(
    db,
    sql`select x.opened_at at, x.amount_minor amount, x.currency, x.status, x.reason detail, x.stripe_dispute_id id
        from disputes x join payments p on p.id = x.payment_id
        where p.livemode = ${mode} and x.opened_at >= ${from}::date and x.opened_at < ${until}::date order by x.opened_at desc limit ${limit}`,
  );
  const item = (kind: LatestItem["kind"], row: Record<string, unknown>, status: string, path: string): LatestItem => ({
    kind,
    at: new Date(row.at as string | Date),
    amountMinor: num(row.amount),
    currency: String(row.currency).trim(),
    status,
    detail: (row.detail as string | null) ?? null,
    stripeUrl: dashboard(path),
  });

  return {
    payments: payments.map((row) => item("payment", row, "paid", `payments/${String(row.id)}`)),
    // A refund is shown on its payment's page in the Dashboard.
    refunds: refunds.map((row) => item("refund", row, String(row.status), `payments/${String(row.id)}`)),
    disputes: disputes.map((row) => item("dispute", row, String(row.status), `disputes/${String(row.id)}`)),
  };
}

export type ReminderFunnel = { campaign: string; set: number; withEmail: number; sent: number; gaveBeforeDue: number; gaveAfterReminder: number };

/** "Remind me later" by campaign for reminders set in the period: set, sent, and gifts that followed. */
export async function reminderFunnel(actor: Actor, period: Period, db: Queryable): Promise<ReminderFunnel[]> {
  await requireStaff(actor, "finance", db);
  const rows = await select<Record<string, unknown>>(
    db,
    sql`select campaign, sum(set_count) set, sum(with_email_count) with_email, sum(sent_count) sent,
          sum(gave_before_due_count) before_due, sum(gave_after_reminder_count) after_reminder
        from finance_reminders_daily where day between ${period.from}::date and ${period.to}::date
        group by 1 having sum(set_count) <> 0 order by 2 desc, 1`,
  );

  return rows.map((row) => ({
    campaign: String(row.campaign),
    set: num(row.set),
    withEmail: num(row.with_email),
    sent: num(row.sent),
    gaveBeforeDue: num(row.before_due),
    gaveAfterReminder: num(row.after_reminder),
  }));
}
