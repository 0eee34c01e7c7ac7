import nodemailer from "nodemailer";
import { getDb } from "@/db";
import { mailboxMessages } from "@/db/schema";
import { env } from "@/lib/env";

export type OutgoingMessage = {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  /** Where a recipient can stop this kind of email in one click (RFC 8058), for those that have it. */
  unsubscribeUrl?: string | null;
};

export type EmailTransport = {
  kind: "smtp" | "mailbox";
  send: (message: OutgoingMessage) => Promise<void>;
};

/** A refusal that sending again will not change (an SMTP 5xx: no such mailbox, message rejected). */
export class PermanentSendError extends Error {
  override name = "PermanentSendError";
}

/**
 * SMTP through nodemailer. A 5xx refusal of the message or its recipient is permanent; anything else
 * (4xx, a refused login, a connection refused or dropped, a timeout) is worth retrying.
 */
export function smtpTransport(url: string): EmailTransport {
  // Bounded so that a whole send stays well inside the sender's claim lease (SEND_LEASE_SECONDS).
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });

  return {
    kind: "smtp",
    async send(message) {
      try {
        const { unsubscribeUrl, ...mail } = message;
        await transporter.sendMail({
          ...mail,
          headers: {
            "Auto-Submitted": "auto-generated",
            ...(unsubscribeUrl ? { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : {}),
          },
        });
      } catch (error) {
        // Permanent only when the server refused this message or its recipient (5xx to RCPT TO or
        // DATA). A 5xx to our login, our greeting or our sender (MAIL FROM: "authentication
        // required") is our configuration or their outage: every queued message would fail the same
        // way, so they wait and are retried instead.
        const { responseCode, command } = error as { responseCode?: unknown; command?: unknown };
        const refusedThisMessage = command === "RCPT TO" || command === "DATA";
        if (refusedThisMessage && typeof responseCode === "number" && responseCode >= 500 && responseCode < 600) {
          throw new PermanentSendError(`SMTP ${responseCode}`, { cause: error });
        }
        throw error;
      }
    },
  };
}

/**
 * The local mailbox: every email of a run without SMTP, kept in the database and listed at /mailbox,
 * so a newcomer sees everything the demo sends. Keyed by Message-ID, so a resend is not a second message.
 */
export function mailboxTransport(): EmailTransport {
  return {
    kind: "mailbox",
    async send(message) {
      await getDb()
        .insert(mailboxMessages)
        .values({ messageId: message.messageId, fromAddress: message.from, toAddress: message.to, subject: message.subject, html: message.html, text: message.text })
        .onConflictDoNothing({ target: mailboxMessages.messageId });
    },
  };
}

const globalKey = Symbol.for("readerfund.emailTransport");
type Holder = typeof globalThis & { [globalKey]?: EmailTransport };

/** The configured transport: SMTP when SMTP_URL is set, the local mailbox otherwise (never in production). */
export function getEmailTransport(): EmailTransport {
  const holder = globalThis as Holder;
  holder[globalKey] ??= env().email.smtpUrl ? smtpTransport(env().email.smtpUrl!) : mailboxTransport();

  return holder[globalKey];
}
