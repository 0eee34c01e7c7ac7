import { and, asc, eq, gte, inArray, lte, or, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { getDb } from "@/db";
import { type OutboundEmail, outboundEmails, supporters } from "@/db/schema";
import { type EmailTemplate, renderEmail } from "@/emails";
import { env } from "@/lib/env";
import { isDatabaseUnavailable } from "@/lib/errors";
import { killPoint } from "@/lib/kill-point";
import { describeError, log, withRequestId } from "@/lib/log";
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

type Outcome = PgUpdateSetSource<typeof outboundEmails>;

// Outcomes (sent, back to the queue, failed, suppressed) this process could not record because the
// database was unreachable. They are recorded first thing on the next pass, so a claimed message is
// settled seconds after the database is back, not when its lease runs out, and one the SMTP server
// accepted is marked sent rather than sent again. One list per process, shared by every Next bundle.
const unrecordedKey = Symbol.for("readerfund.outboxUnrecorded");
type GlobalWithUnrecorded = typeof globalThis & { [unrecordedKey]?: Map<string, { email: OutboundEmail; outcome: Outcome }> };

function unrecorded(): Map<string, { email: OutboundEmail; outcome: Outcome }> {
  const holder = globalThis as GlobalWithUnrecorded;
  holder[unrecordedKey] ??= new Map();

  return holder[unrecordedKey];
}

/** How many claimed messages this process still has to record the outcome of once the database answers. */
function emailsAwaitingRecord(): number {
  return unrecorded().size;
}

/** Records what became of a claimed message; if the database is unreachable, remembers it and throws. */
async function record(email: OutboundEmail, outcome: Outcome): Promise<void> {
  try {
    await getDb().update(outboundEmails).set(outcome).where(stillOurs(email));
  } catch (error) {
    if (isDatabaseUnavailable(error)) remember(email, outcome, error);
    throw error;
  }
}

function remember(email: OutboundEmail, outcome: Outcome, error: unknown): void {
  unrecorded().set(email.id, { email, outcome });
  log.warn("could not record an email's outcome; will once the database answers", { outboxId: email.id, template: email.template, error });
}

/** Records the outcomes an outage kept this process from recording; throws while it lasts. */
async function recordRemembered(): Promise<void> {
  const waiting = unrecorded();
  for (const [id, { email, outcome }] of waiting) {
    await getDb().update(outboundEmails).set(outcome).where(stillOurs(email));
    waiting.delete(id);
    log.info("recorded an email's outcome once the database answered", { outboxId: id, template: email.template });
  }
}

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
 * with its error for a person). Returns counts. First records what an outage kept this process from
 * recording (and throws while the database is away).
 *
 * Delivery is at least once. A message is marked sent only after the SMTP server accepted it, so a
 * worker that dies between the two leaves a message that the next claim sends again, with the same
 * Message-ID (some mail clients collapse such duplicates; not all). That window is the SMTP reply's
 * round trip plus one UPDATE; the local mailbox transport closes it (one copy per Message-ID).
 */
export async function sendDueEmails(options: SendOptions = {}): Promise<{ sent: number; retried: number; failed: number }> {
  const transport = options.transport ?? getEmailTransport();
  const totals = { sent: 0, retried: 0, failed: 0 };
  await recordRemembered();
  for (;;) {
    const email = await claimDueEmail();
    if (email === null) return totals;
    // Under the id of the request whose work queued it: its sending reads as part of that request.
    const outcome = await withRequestId(email.requestId, () => sendClaimed(email, transport, options));
    if (outcome !== "suppressed") totals[outcome]++;
  }
}

type Sent = "sent" | "retried" | "failed" | "suppressed";

async function sendClaimed(email: OutboundEmail, transport: EmailTransport, options: SendOptions): Promise<Sent> {
  const { newsroomName, appUrl, email: config } = env();
  // Discreet giving is checked again now: a supporter may have chosen it since this was queued.
  if (!email.requested && email.supporterId) {
    let discreet: boolean;
    try {
      const [supporter] = await getDb().select({ discreet: supporters.discreet }).from(supporters).where(eq(supporters.id, email.supporterId));
      discreet = supporter?.discreet === true;
    } catch (error) {
      // The database went away just after the claim: the message goes back to the queue once it is back.
      if (isDatabaseUnavailable(error)) remember(email, { status: "pending", lockedUntil: null, nextAttemptAt: sql`now()` }, error);
      throw error;
    }
    if (discreet) {
      await record(email, { status: "suppressed", props: null, lockedUntil: null });

      return "suppressed";
    }
  }
  let rendered: { subject: string; html: string; text: string };
  try {
    rendered = await renderEmail(email.template as EmailTemplate, (email.props ?? {}) as never, { locale: email.locale, newsroomName, appUrl });
  } catch (error) {
    // A template that cannot render this message will not render it next time either.
    await markFailed(email, `render: ${withoutAddresses(error)}`);

    return "failed";
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

      return "failed";
    }
    const reason = withoutAddresses(error);
    log.warn("email not sent; will retry", { outboxId: email.id, template: email.template, attempts: email.attempts, reason });
    await record(email, {
      status: "pending",
      lockedUntil: null,
      lastError: reason,
      nextAttemptAt: sql`now() + ${retryDelaySeconds(email.attempts)}::int * interval '1 second'`,
    });

    return "retried";
  }
  killPoint("email-sent");
  await options.afterSend?.(email);
  // The props may name the supporter; once sent they are not needed. An email to an address with
  // no supporter behind it (a reminder) would keep the only copy of that address: it goes too.
  await record(email, {
    status: "sent",
    sentAt: sql`now()`,
    lockedUntil: null,
    lastError: null,
    subject: rendered.subject,
    props: null,
    ...(email.supporterId === null ? { toAddress: ERASED_ADDRESS } : {}),
  });
  log.info("email sent", { outboxId: email.id, template: email.template, attempts: email.attempts });

  return "sent";
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
  await record(email, { status: "failed", lockedUntil: null, lastError: reason });
}

// Outcomes an outage kept us from recording are tried this often, even with polling off.
const RECORD_RETRY_MS = 2000;

const loop = workerLoop(
  "emails",
  async () => {
    await sendDueEmails();
  },
  { retryWithinMs: () => (emailsAwaitingRecord() > 0 ? RECORD_RETRY_MS : null) },
);

/** Asks for due emails to be sent now (see WorkerLoop.wake). */
export const wakeEmailSender = loop.wake;
export const emailSenderRunning = loop.running;
export const startEmailSender = loop.start;
export const stopEmailSender = loop.stop;
