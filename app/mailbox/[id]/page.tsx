import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findMailboxMessage } from "@/db/queries/mailbox";
import { MAILBOX_ID, mailboxEnabled } from "@/lib/email/mailbox";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Email", referrer: "no-referrer" };

/** One email of the local mailbox: its headers, the HTML as a mail client shows it, and the text. */
export default async function MailboxMessagePage({ params }: { params: Promise<{ id: string }> }) {
  if (!mailboxEnabled()) notFound();
  const { id } = await params;
  if (!MAILBOX_ID.test(id)) notFound();
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
      <iframe className="mailbox-html" title={`HTML version of “${message.subject}”`} src={`/mailbox/${message.id}/html`} sandbox="" />
      <h2>As plain text</h2>
      <pre className="mailbox-text" data-testid="mailbox-text">
        {message.text}
      </pre>
    </article>
  );
}
