import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findMailboxMessage } from "@/db/queries/mailbox";
import { MAILBOX_ID, mailboxEnabled } from "@/lib/email/mailbox";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Email", referrer: "no-referrer" };

/**
 * One email of the local mailbox (`/mailbox/message?id=…`): its headers, the HTML as a mail client
 * shows it, and the text. The id is in the query, not the path: Next answers a path segment whose
 * percent-escapes do not decode with a bare 500 before any route runs (tests/e2e/http.spec.ts).
 */
export default async function MailboxMessagePage({ searchParams }: { searchParams: Promise<{ id?: string | string[] }> }) {
  if (!mailboxEnabled()) notFound();
  const { id } = await searchParams;
  if (typeof id !== "string" || !MAILBOX_ID.test(id)) notFound();
  const message = await findMailboxMessage(id);
  if (!message) notFound();

  return (
    <article className="mailbox-message" aria-labelledby="message-subject">
      <p>
        <a href="/mailbox">All messages</a>
      </p>
      <h1 id="message-subject">{message.subject}</h1>
      <dl>
        <dt>From</dt>
        <dd>{message.fromAddress}</dd>
        <dt>To</dt>
        <dd>{message.toAddress}</dd>
        <dt>Message-ID</dt>
        <dd>
          <code>{message.messageId}</code>
        </dd>
      </dl>
      <h2>As HTML</h2>
      <iframe className="mailbox-html" title={`HTML version of “${message.subject}”`} src={`/mailbox/message/html?id=${message.id}`} sandbox="" />
      <h2>As plain text</h2>
      <pre className="mailbox-text" data-testid="mailbox-text">
        {message.text}
      </pre>
    </article>
  );
}
