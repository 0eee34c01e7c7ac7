import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { mailboxMessages, outboundEmails, supporters } from "@/db/schema";
import { sendDueEmails } from "@/lib/email/sender";
import { mailboxTransport, smtpTransport } from "@/lib/email/transport";
import { useTestDatabase } from "../../support/database";
import { giveOnceAndSettle, outbox, type SmtpServer, useEmailSuite } from "../../support/email-suite";
import { clearLedger } from "../../support/ledger";
import { usePrivateSandbox } from "../../support/stripe";

// A stand-in of its own: the suite's set-up cancels every subscription in it.
usePrivateSandbox();
const database = useTestDatabase();

let smtp: SmtpServer;
useEmailSuite((server) => (smtp = server));

const sendViaSmtp = (options: Parameters<typeof sendDueEmails>[0] = {}) => sendDueEmails({ transport: smtpTransport(smtp.url()), ...options });

class WorkerDied extends Error {}

describe(`the email sender on ${database.kind}, through a real SMTP server`, () => {
  it("keeps every message while the SMTP server is down, and delivers each once when it is back", async () => {
    await giveOnceAndSettle("outage.one@example.org");
    await giveOnceAndSettle("outage.two@example.org");
    await smtp.stop();
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 2, failed: 0 });
    const waiting = await outbox();
    // eslint-disable-next-line no-restricted-syntax -- the outbox's backoff runs on the database's real clock, not the stand-in's
    expect(waiting.every((r) => r.status === "pending" && r.attempts === 1 && r.lastError !== null && r.nextAttemptAt.getTime() > Date.now())).toBe(true);
    // Not due yet: nothing is tried before its backoff.
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });

    await smtp.start();
    await getDb().update(outboundEmails).set({ nextAttemptAt: sql`now() - interval '1 second'` });
    expect(await sendViaSmtp()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(["outage.one@example.org", "outage.two@example.org"]);
  });

  it("records a permanent refusal as failed, visibly, and never retries it", async () => {
    await giveOnceAndSettle("no.such.mailbox@example.org");
    smtp.setRefuse(true);
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 1 });
    const [row] = await outbox();
    expect(row).toMatchObject({ status: "failed", lastError: expect.stringContaining("550") });
    smtp.setRefuse(false);
    await getDb().update(outboundEmails).set({ nextAttemptAt: sql`now() - interval '1 second'` });
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);
  });

  it("a worker that dies after SMTP accepted but before marking: the resend carries the same Message-ID (the documented window); the mailbox keeps one", async () => {
    await giveOnceAndSettle("crash@example.org");
    await expect(
      sendViaSmtp({
        afterSend: () => {
          throw new WorkerDied("killed between sending and marking");
        },
      }),
    ).rejects.toThrow(WorkerDied);
    const [claimed] = await outbox();
    expect(claimed).toMatchObject({ status: "sending" });
    // Another instance picks it up only once the dead worker's lease has run out.
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
    await getDb().update(outboundEmails).set({ lockedUntil: sql`now() - interval '1 second'` });
    expect(await sendViaSmtp()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[0]!.messageId).toBe(smtp.received[1]!.messageId);

    // The local mailbox closes the window: one message per Message-ID.
    await clearLedger();
    await giveOnceAndSettle("crash.mailbox@example.org");
    await expect(sendDueEmails({ transport: mailboxTransport(), afterSend: () => Promise.reject(new WorkerDied("killed")) })).rejects.toThrow(WorkerDied);
    await getDb().update(outboundEmails).set({ lockedUntil: sql`now() - interval '1 second'` });
    await sendDueEmails({ transport: mailboxTransport() });
    expect(await getDb().select().from(mailboxMessages).where(eq(mailboxMessages.toAddress, "crash.mailbox@example.org"))).toHaveLength(1);
  });

  it("a worker that dies before SMTP accepted: the message is sent once, by the next claim", async () => {
    await giveOnceAndSettle("before@example.org");
    await smtp.stop();
    await sendViaSmtp();
    await smtp.start();
    await getDb().update(outboundEmails).set({ nextAttemptAt: sql`now() - interval '1 second'` });
    await sendViaSmtp();
    expect(smtp.received).toHaveLength(1);
  });

  it("two workers on one database send each message once", async () => {
    for (let i = 0; i < 6; i++) await giveOnceAndSettle(`pair.${i}@example.org`);
    const results = await Promise.all([sendViaSmtp(), sendViaSmtp()]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(6);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `pair.${i}@example.org`));
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(6);
  });

  it("treats a refused login as our configuration, not the message's fault: retried, never failed for good", async () => {
    await giveOnceAndSettle("login@example.org");
    smtp.setPassword("right-password");
    const wrongLogin = smtp.url().replace("smtp://", "smtp://readerfund:wrong-password@");
    expect(await sendDueEmails({ transport: smtpTransport(wrongLogin) })).toEqual({ sent: 0, retried: 1, failed: 0 });
    const [row] = await outbox();
    expect(row).toMatchObject({ status: "pending", lastError: expect.stringContaining("535") });
    await getDb().update(outboundEmails).set({ nextAttemptAt: sql`now() - interval '1 second'` });
    const rightLogin = smtp.url().replace("smtp://", "smtp://readerfund:right-password@");
    expect(await sendDueEmails({ transport: smtpTransport(rightLogin) })).toEqual({ sent: 1, retried: 0, failed: 0 });
  });

  it("lets only the worker holding a claim finish it: a worker whose lease was taken over changes nothing", async () => {
    await giveOnceAndSettle("takeover@example.org");
    let second: Awaited<ReturnType<typeof sendDueEmails>> | null = null;
    const first = await sendViaSmtp({
      afterSend: async () => {
        // This worker stalls after sending; its lease runs out and another instance takes the message.
        await getDb().update(outboundEmails).set({ lockedUntil: sql`now() - interval '1 second'` });
        second = await sendViaSmtp();
      },
    });
    expect(second).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(first.sent).toBe(1);
    const [row] = await outbox();
    // Marked once, by the second claim (attempt 2); the stalled worker's late write matched nothing.
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("checks discreet giving again when sending: a supporter who chose it after the email was queued gets nothing", async () => {
    await giveOnceAndSettle("changed.mind@example.org");
    await getDb().update(supporters).set({ discreet: true }).where(eq(supporters.email, "changed.mind@example.org"));
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);
    expect((await outbox())[0]).toMatchObject({ status: "suppressed", props: null });
  });
});
