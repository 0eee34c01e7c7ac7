import type { Metadata } from "next";
import { getDb } from "@/db";
import { AppError } from "@/lib/errors";
import { INBOX_STATUSES, type InboxPage, inboxCounts, inboxEvents } from "@/lib/finance/inbox";
import { monthToDate, ZPeriod } from "@/lib/finance/period";
import { staffForPage } from "@/lib/staff/page-access";
import { When } from "../_components/when";
import "../_components/admin-pages.css";
import { ReplayForm } from "./replay-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = {
  title: "Webhook inbox",
  robots: { index: false, follow: false },
};

type Props = {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? "";
const FILTER_KEYS = ["status", "type", "from", "to", "q"] as const;
const REPLAY_FORM = "replay-form";

/**
 * /finance/inbox: every event Stripe sent, what became of it (pending, processed, ignored, failed
 * with its error), newest first, filtered and paged. Finance staff read it; admins also tick events
 * and replay them. The lib functions check the role again.
 */
export default async function InboxPage({ searchParams }: Props) {
  const params = await searchParams;
  const { actor, staff } = await staffForPage("finance", "/finance/inbox");
  const db = getDb();
  const isAdmin = staff.role === "admin";
  const filter = Object.fromEntries(FILTER_KEYS.map((key) => [key, one(params[key])])) as Record<(typeof FILTER_KEYS)[number], string>;
  let problem: string | null = null;
  let page: InboxPage;
  try {
    page = await inboxEvents(actor, { ...filter, after: one(params.after) }, db);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "INVALID_INPUT") throw error;
    problem = error.message;
    page = await inboxEvents(actor, {}, db);
  }
  const askedPeriod = ZPeriod.safeParse({ from: filter.from, to: filter.to });
  const period = askedPeriod.success ? askedPeriod.data : monthToDate(new Date());
  const counts = await inboxCounts(actor, period, db);
  const nextQuery = page.next
    ? new URLSearchParams({
        ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v)),
        after: page.next,
      }).toString()
    : null;

  return (
    <section className="thanks finance-page" lang="en" aria-labelledby="inbox-heading" data-testid="inbox-page">
      <h1 id="inbox-heading">Webhook inbox</h1>
      <p>
        Every event Stripe sent us, stored once before we answered, and what became of it. A failed event was retried for three days, then parked here with its
        error. Times are UTC.
      </p>

      <table data-testid="inbox-counts">
        <caption>
          Received from {period.from} to {period.to}
        </caption>
        <thead>
          <tr>
            {INBOX_STATUSES.map((status) => (
              <th key={status} scope="col">
                {status}
              </th>
            ))}
            <th scope="col">total</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            {INBOX_STATUSES.map((status) => (
              <td key={status}>{counts[status]}</td>
            ))}
            <td>{counts.total}</td>
          </tr>
        </tbody>
      </table>

      <form className="period-form" method="get" action="/finance/inbox" aria-label="Filter the inbox" aria-describedby={problem ? "inbox-problem" : undefined}>
        <label>
          Status
          <select name="status" defaultValue={filter.status}>
            <option value="">any</option>
            {INBOX_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type starts with
          <input name="type" defaultValue={filter.type} placeholder="charge." spellCheck={false} />
        </label>
        <label>
          Received from
          <input type="date" name="from" defaultValue={filter.from} />
        </label>
        <label>
          to
          <input type="date" name="to" defaultValue={filter.to} />
        </label>
        <label>
          Event id contains
          <input name="q" defaultValue={filter.q} spellCheck={false} />
        </label>
        <button type="submit">Show</button>
      </form>
      {problem && (
        <p id="inbox-problem" role="alert" className="flag">
          {problem}; showing every event instead.
        </p>
      )}

      {page.events.length === 0 ? (
        <p>No events match.</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="inbox-table-caption" tabIndex={0}>
          <table data-testid="inbox-events">
            <caption id="inbox-table-caption">Events, newest first</caption>
            <thead>
              <tr>
                {isAdmin && (
                  <th scope="col">
                    <span className="visually-hidden">Replay</span>
                  </th>
                )}
                <th scope="col">Event</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Received</th>
                <th scope="col">Applied</th>
                <th scope="col">Mode</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((event) => (
                <tr key={event.id}>
                  {isAdmin && (
                    <td>
                      <input type="checkbox" name="ids" value={event.id} form={REPLAY_FORM} id={`replay-${event.id}`} aria-label={`Replay ${event.id}`} />
                    </td>
                  )}
                  <th scope="row">
                    <code>{event.id}</code>
                  </th>
                  <td>
                    <code>{event.type}</code>
                  </td>
                  <td>{event.status}</td>
                  <td>{event.attempts}</td>
                  <td>{event.lastError ?? ""}</td>
                  <td>
                    <When at={event.receivedAt} />
                  </td>
                  <td>
                    <When at={event.processedAt} />
                  </td>
                  <td>{event.livemode ? "live" : "test"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextQuery && (
        <nav aria-label="Inbox pages">
          <p>
            <a href={`/finance/inbox?${nextQuery}`} rel="next">
              Older events
            </a>
          </p>
        </nav>
      )}
      {isAdmin ? <ReplayForm id={REPLAY_FORM} /> : <p className="hint">Replaying events is for the newsroom&apos;s admins.</p>}
    </section>
  );
}
