import { and, asc, eq, gte, inArray, lte, or, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { type OutboundEmail, outboundEmails, supporters } from "@/db/schema";
import { type EmailTemplate, renderEmail } from "@/emails";
import { env } from "@/lib/env";
import { describeError, log } from "@/lib/log";
import { workerLoop } from "@/lib/workers/loop";
import { ERASED_ADDRESS, ONE_CLICK_UNSUBSCRIBE_PROP } from "./outbox";
import { type EmailTransport, getEmailTransport, PermanentSendError } from "./transport";

// Longer than a whole send can take (the SMTP transport's timeouts add up to under a minute), so a
// claim cannot run out while its worker is still sending; a worker that dies loses it after this.
export const SEND_LEASE_SECONDS = 120;
// About a day of retries (30 s doubling, capped at an hour), then a person has to look.
export const MAX_SEND_ATTEMPTS = 30;

function retryDelaySeconds(attempts: number): number {
  return Math.min(30 * 2 ** Math.max(0, attempts - 1), 3600);
}

/**
 * Claims one due email: a pending one whose time has come, or one a worker claimed and never
 * finished (its lease ran out: it crashed or hung, and whether its SMTP server accepted the message
 * is unknown). One at a time, so a claim's lease covers only the send it was taken for. The claim
 * is an UPDATE under FOR UPDATE SKIP LOCKED, so instances never share one; its attempt count is the
 * claim's token, and every later write checks it, so a worker whose claim was taken over changes
 * nothing.
 */
async function claimDueEmail(): Promise<OutboundEmail | null> {
  const db = getDb();
  // A message whose every claim dies (a crash while sending it) must not be tried forever.
  await db
    .update(outboundEmails)
    .set({ status: "failed", lockedUntil: null, lastError: `abandoned: ${MAX_SEND_ATTEMPTS} claims never finished` })
    .where(and(eq(outboundEmails.status, "sending"), lte(outboundEmails.lockedUntil, sql`now()`), gte(outboundEmails.attempts, MAX_SEND_ATTEMPTS)));
  const due = db
    .select({ id: outboundEmails.id })
    .from(outboundEmails)
    .where(
      or(
        and(eq(outboundEmails.status, "pending"), lte(outboundEmails.nextAttemptAt, sql`now()`)),
        and(eq(outboundEmails.status, "sending"), lte(outboundEmails.lockedUntil, sql`now()`)),
      ),
    )
    .orderBy(asc(outboundEmails.nextAttemptAt))
    .limit(1)
    .for("update", { skipLocked: true });
  const [claimed] = await db
    .update(outboundEmails)
    .set({
      status: "sending",
      lockedUntil: sql`now() + ${SEND_LEASE_SECONDS}::int * interval '1 second'`,
      attempts: sql`${outboundEmails.attempts} + 1`,
    })
    .where(inArray(outboundEmails.id, due))
    .returning();

  return claimed ?? null;
}

/** Only the worker holding this claim may finish it. */
const stillOurs = (email: OutboundEmail) =>
  and(eq(outboundEmails.id, email.id), eq(outboundEmails.status, "sending"), eq(outboundEmails.attempts, email.attempts));

/** Errors go to logs and to the row; an SMTP reply can quote the recipient's address, so addresses are taken out. */
const withoutAddresses = (error: unknown) => describeError(error).replace(/[^\s<>"'@]+@[^\s<>"'@]+/g, "[address]").slice(0, 2000);

export type SendOptions = {
  transport?: EmailTransport;
  /**
   * Runs after the transport accepted a message and before it is marked sent. Tests use it to play
   * a worker that dies in that window; nothing else should.
   */
  afterSend?: (email: OutboundEmail) => void | Promise<void>;
};

/**
 * Sends every due email and marks each: `sent`; back to `pending` with a backoff after a failure
 * worth retrying; `failed` after a permanent refusal or when retries run out (logged, and kept
 * with its error for a person). Returns counts.
 *
 * Delivery is at least once. A message is marked sent only after the SMTP server accepted it, so a
 * worker that dies between the two leaves a message that the next claim sends again, with the same
 * Message-ID (some mail clients collapse such duplicates; not all). That window is the SMTP reply's
 * round trip plus one UPDATE; the local mailbox transport closes it (one copy per Message-ID).
 */
export async function sendDueEmails(options: SendOptions = {}): Promise<{ sent: number; retried: number; failed: number }> {
  const transport = options.transport ?? getEmailTransport();
  const { newsroomName, appUrl, email: config } = env();
  const totals = { sent: 0, retried: 0, failed: 0 };
  for (;;) {
    const email = await claimDueEmail();
    if (email === null) return totals;
    // Discreet giving is checked again now: a supporter may have chosen it since this was queued.
    if (!email.requested && email.supporterId) {
      const [supporter] = await getDb().select({ discreet: supporters.discreet }).from(supporters).where(eq(supporters.id, email.supporterId));
      if (supporter?.discreet) {
        await getDb().update(outboundEmails).set({ status: "suppressed", props: null, lockedUntil: null }).where(stillOurs(email));
        continue;
      }
    }
    let rendered: { subject: string; html: string; text: string };
    try {
      rendered = await renderEmail(email.template as EmailTemplate, (email.props ?? {}) as never, { locale: email.locale, newsroomName, appUrl });
    } catch (error) {
      // A template that cannot render this message will not render it next time either.
      await markFailed(email, `render: ${withoutAddresses(error)}`);
      totals.failed++;
      continue;
    }
    try {
      const unsubscribeUrl = listUnsubscribeUrl(email.props);
      await transport.send({
        from: config.from,
        to: email.toAddress,
        ...rendered,
        messageId: email.messageId,
        unsubscribeUrl,
      });
    } catch (error) {
      if (error instanceof PermanentSendError || email.attempts >= MAX_SEND_ATTEMPTS) {
        await markFailed(email, withoutAddresses(error));
        totals.failed++;
      } else {
        const reason = withoutAddresses(error);
        log.warn("email not sent; will retry", { outboxId: email.id, template: email.template, attempts: email.attempts, reason });
        await getDb()
          .update(outboundEmails)
          .set({
            status: "pending",
            lockedUntil: null,
            lastError: reason,
            nextAttemptAt: sql`now() + ${retryDelaySeconds(email.attempts)}::int * interval '1 second'`,
          })
          .where(stillOurs(email));
        totals.retried++;
      }
      continue;
    }
    await options.afterSend?.(email);
    await getDb()
      .update(outboundEmails)
      // The props may name the supporter; once sent they are not needed. An email to an address with
      // no supporter behind it (a reminder) would keep the only copy of that address: it goes too.
      .set({
        status: "sent",
        sentAt: sql`now()`,
        lockedUntil: null,
        lastError: null,
        subject: rendered.subject,
        props: null,
        ...(email.supporterId === null ? { toAddress: ERASED_ADDRESS } : {}),
      })
      .where(stillOurs(email));
    totals.sent++;
  }
}

/**
 * List-Unsubscribe: the one-click address when the message has one of its own (a reminder's cancel
 * endpoint, which takes RFC 8058's POST), else the template's unsubscribe link.
 */
function listUnsubscribeUrl(props: unknown): string | null {
  const fields = (props ?? {}) as { unsubscribeUrl?: unknown; [ONE_CLICK_UNSUBSCRIBE_PROP]?: unknown };
  const url = fields[ONE_CLICK_UNSUBSCRIBE_PROP] ?? fields.unsubscribeUrl;

  return typeof url === "string" ? url : null;
}

async function markFailed(email: OutboundEmail, reason: string): Promise<void> {
  log.error("email failed for good", { outboxId: email.id, template: email.template, attempts: email.attempts, reason });
  await getDb().update(outboundEmails).set({ status: "failed", lockedUntil: null, lastError: reason }).where(stillOurs(email));
}

const loop = workerLoop("emails", async () => {
  await sendDueEmails();
});

/** Asks for due emails to be sent now (see WorkerLoop.wake). */
export const wakeEmailSender = loop.wake;
export const emailSenderRunning = loop.running;
export const startEmailSender = loop.start;
export const stopEmailSender = loop.stop;
