import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { listMailbox, outboxSummary } from "@/db/queries/mailbox";
import { mailboxEnabled } from "@/lib/email/mailbox";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Local mailbox", referrer: "no-referrer" };

/**
 * /mailbox: every email this local run has sent, since without SMTP_URL nothing leaves the machine.
 * Absent (404) when an SMTP server is configured and in production.
 */
export default async function MailboxPage() {
  if (!mailboxEnabled()) notFound();
  const [messages, outbox] = await Promise.all([listMailbox(), outboxSummary()]);

  return (
    <section className="mailbox" aria-labelledby="mailbox-heading">
      <h1 id="mailbox-heading">Local mailbox</h1>
      <p>
        No SMTP server is configured (<code>SMTP_URL</code>), so email stays here instead of being sent. Outbox:{" "}
        {(["pending", "sending", "sent", "failed", "suppressed"] as const).map((status, i) => (
          <span key={status}>
            {i > 0 ? ", " : ""}
            {outbox.counts[status] ?? 0} {status}
          </span>
        ))}
        .
      </p>
      {outbox.failed.length > 0 && (
        <>
          <h2>Failed for good</h2>
          <ul>
            {outbox.failed.map((f) => (
              <li key={f.id}>
                {f.template} to {f.toAddress}: {f.lastError}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Messages</h2>
      {messages.length === 0 ? (
        <p>Nothing yet. Give from the article page and the receipt appears here.</p>
      ) : (
        <table className="mailbox-list">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">To</th>
              <th scope="col">Subject</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id}>
                <td>
                  <time dateTime={m.receivedAt.toISOString()}>{m.receivedAt.toISOString().replace("T", " ").slice(0, 19)} UTC</time>
                </td>
                <td>{m.toAddress}</td>
                <td>
                  <a href={`/mailbox/message?id=${m.id}`}>{m.subject}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
