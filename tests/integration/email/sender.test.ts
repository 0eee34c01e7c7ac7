import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { mailboxMessages, outboundEmails, payments, supporters } from "@/db/schema";
import { sendDueEmails } from "@/lib/email/sender";
import { mailboxTransport, smtpTransport } from "@/lib/email/transport";
import { queueYearlyStatements } from "@/lib/scheduled/yearly-statements";
import { useTestDatabase } from "../../support/database";
import { ensureGiftProducts, giveOnce as giveOnceThroughStripe, startRecurringGift } from "../../support/gifts";
import { clearLedger, drainUntilSettled } from "../../support/ledger";
import { startSmtpServer } from "../../support/smtp";
import { advanceAPeriod, advanceToPeriodEnd, advanceToRenewal, advanceToRetry, control, deliver, eventsAfter, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

// Moves the stand-in's clock for renewals, so it has a stand-in of its own.
usePrivateSandbox();
const database = useTestDatabase();

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

class WorkerDied extends Error {}

const outbox = () => getDb().select().from(outboundEmails).orderBy(outboundEmails.createdAt);
const sendViaSmtp = (options: Parameters<typeof sendDueEmails>[0] = {}) => sendDueEmails({ transport: smtpTransport(smtp.url()), ...options });

async function giveOnce(email: string, options: { locale?: string; amount?: number; currency?: string } = {}) {
  const { events } = await giveOnceThroughStripe({ email, amount: options.amount, currency: options.currency, metadata: { locale: options.locale ?? "en" } });
  await deliver(events);
  await drainUntilSettled();
}

const startMonthly = (email: string, options: { locale?: string; card?: string } = {}) =>
  startRecurringGift({ email, card: options.card, metadata: { locale: options.locale ?? "en" } });

async function applyEventsSince(marker: string | undefined) {
  await deliver(await eventsAfter(marker));
  await drainUntilSettled();
}

describe(`emails on ${database.kind}, through a real SMTP server`, () => {
  beforeAll(async () => {
    smtp = await startSmtpServer();
    await ensureGiftProducts();
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(async () => {
    await clearLedger();
    smtp.received.length = 0;
    smtp.setRefuse(false);
    smtp.setPassword(null);
    const stripe = sandboxStripe();
    for await (const subscription of stripe.subscriptions.list({ status: "all", limit: 100 })) {
      if (subscription.status !== "canceled") await stripe.subscriptions.cancel(subscription.id);
    }
  });

  it("sends one receipt for a one-time gift, however often its events arrive, with the same Message-ID as queued", async () => {
    await giveOnce("once.reader@example.org");
    // Redelivery of everything changes nothing.
    const [queued] = await outbox();
    expect(queued).toMatchObject({ template: "receipt_one_time", toAddress: "once.reader@example.org", status: "pending", locale: "en" });

    expect(await sendViaSmtp()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(["once.reader@example.org"]);
    expect(mail.subject).toContain("€25.00");
    expect(mail.text).toContain("€25.00");
    expect(mail.language).toBe("en");
    expect(mail.messageId).toBe(queued!.messageId);
    const [sent] = await outbox();
    // Sent, and the props that named the supporter are gone.
    expect(sent).toMatchObject({ status: "sent", props: null, attempts: 1 });
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it("sends recurring receipts, first and renewal, in the supporter's language", async () => {
    const { marker, subscriptionId } = await startMonthly("ezhemesyachno@example.org", { locale: "ru" });
    await advanceToRenewal(subscriptionId);
    await applyEventsSince(marker);
    await sendViaSmtp();

    const receipts = smtp.received.filter((m) => m.to.includes("ezhemesyachno@example.org"));
    expect(receipts).toHaveLength(2);
    for (const mail of receipts) {
      expect(mail.language).toBe("ru");
      expect(mail.text).toMatch(/10,00\s?€/);
    }
    expect(new Set(receipts.map((m) => m.subject)).size).toBe(2);
    const rows = await outbox();
    expect(rows.map((r) => [r.template, r.status])).toEqual([
      ["receipt_recurring", "sent"],
      ["receipt_recurring", "sent"],
    ]);
  });

  it("tells the supporter when a renewal fails, with a working link to pay with another card", async () => {
    const { marker, subscriptionId } = await startMonthly("declined@example.org");
    await control("POST", `/_sandbox/subscriptions/${subscriptionId}/next_renewal`, { outcome: "fail" });
    await advanceToRenewal(subscriptionId);
    await applyEventsSince(marker);
    await sendViaSmtp();

    const notice = (await outbox()).find((r) => r.template === "payment_failed")!;
    expect(notice).toMatchObject({ status: "sent", toAddress: "declined@example.org", idempotencyKey: expect.stringMatching(/^payment-failed:in_.+:1$/) });
    const mail = smtp.received.find((m) => m.messageId === notice.messageId)!;
    expect(mail.to).toEqual(["declined@example.org"]);
    const invoices = await sandboxStripe().invoices.list({ subscription: subscriptionId, status: "open" });
    const hosted = invoices.data[0]!.hosted_invoice_url!;
    expect(mail.text).toContain(hosted);
    // The link works: the stand-in's hosted invoice page answers.
    expect((await fetch(hosted)).status).toBe(200);
  });

  it("tells the supporter their gift is set to end, then that it ended; nothing is charged after", async () => {
    const { marker, subscriptionId } = await startMonthly("leaving@example.org");
    await sandboxStripe().subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await applyEventsSince(marker);
    await sendViaSmtp();
    // Queued in one transaction (one timestamp), so compared as a set.
    expect((await outbox()).map((r) => r.template).sort()).toEqual(["receipt_recurring", "recurring_ending"]);

    await advanceToPeriodEnd(subscriptionId);
    await advanceAPeriod(subscriptionId);
    await applyEventsSince(marker);
    await sendViaSmtp();
    expect((await outbox()).map((r) => `${r.template} ${r.status}`).sort()).toEqual(["receipt_recurring sent", "recurring_ended sent", "recurring_ending sent"]);
    expect(smtp.received.map((m) => m.to[0])).toEqual(["leaving@example.org", "leaving@example.org", "leaving@example.org"]);
  });

  it("keeps every message while the SMTP server is down, and delivers each once when it is back", async () => {
    await giveOnce("outage.one@example.org");
    await giveOnce("outage.two@example.org");
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
    await giveOnce("no.such.mailbox@example.org");
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
    await giveOnce("crash@example.org");
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
    await giveOnce("crash.mailbox@example.org");
    await expect(sendDueEmails({ transport: mailboxTransport(), afterSend: () => Promise.reject(new WorkerDied("killed")) })).rejects.toThrow(WorkerDied);
    await getDb().update(outboundEmails).set({ lockedUntil: sql`now() - interval '1 second'` });
    await sendDueEmails({ transport: mailboxTransport() });
    expect(await getDb().select().from(mailboxMessages).where(eq(mailboxMessages.toAddress, "crash.mailbox@example.org"))).toHaveLength(1);
  });

  it("a worker that dies before SMTP accepted: the message is sent once, by the next claim", async () => {
    await giveOnce("before@example.org");
    await smtp.stop();
    await sendViaSmtp();
    await smtp.start();
    await getDb().update(outboundEmails).set({ nextAttemptAt: sql`now() - interval '1 second'` });
    await sendViaSmtp();
    expect(smtp.received).toHaveLength(1);
  });

  it("two workers on one database send each message once", async () => {
    for (let i = 0; i < 6; i++) await giveOnce(`pair.${i}@example.org`);
    const results = await Promise.all([sendViaSmtp(), sendViaSmtp()]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(6);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `pair.${i}@example.org`));
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(6);
  });

  it("sends nothing to a supporter who chose discreet giving, and shows it was suppressed", async () => {
    await getDb().insert(supporters).values({ email: "discreet@example.org", discreet: true });
    await giveOnce("discreet@example.org");
    const [row] = await outbox();
    expect(row).toMatchObject({ status: "suppressed", props: null });
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);
  });

  it("queues one yearly statement per supporter, with totals per currency, however often it runs", async () => {
    await giveOnce("yearly@example.org", { amount: 2500, currency: "eur" });
    await giveOnce("yearly@example.org", { amount: 1000, currency: "usd" });
    await sendViaSmtp();
    smtp.received.length = 0;
    // The stand-in's clock (moved on by earlier tests) dates the payments, not this machine's.
    const year = (await getDb().select({ paidAt: payments.paidAt }).from(payments))[0]!.paidAt.getUTCFullYear();
    expect(await queueYearlyStatements(year)).toBe(1);
    expect(await queueYearlyStatements(year)).toBe(1);
    expect(await queueYearlyStatements(year - 1)).toBe(0);
    const statements = (await outbox()).filter((r) => r.template === "yearly_statement");
    expect(statements).toHaveLength(1);
    expect(statements[0]!.props).toMatchObject({
      year,
      totals: [
        { currency: "eur", amountMinor: 2500 },
        { currency: "usd", amountMinor: 1000 },
      ],
    });
    await sendViaSmtp();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.text).toContain("€25.00");
    expect(smtp.received[0]!.text).toContain("$10.00");
    expect((await getDb().select().from(payments)).length).toBe(2);
  });

  it("treats a refused login as our configuration, not the message's fault: retried, never failed for good", async () => {
    await giveOnce("login@example.org");
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
    await giveOnce("takeover@example.org");
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
    await giveOnce("changed.mind@example.org");
    await getDb().update(supporters).set({ discreet: true }).where(eq(supporters.email, "changed.mind@example.org"));
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);
    expect((await outbox())[0]).toMatchObject({ status: "suppressed", props: null });
  });

  it("withdraws a queued card-declined notice once the renewal is paid", async () => {
    const { marker, subscriptionId } = await startMonthly("recovered@example.org");
    await control("POST", `/_sandbox/subscriptions/${subscriptionId}/next_renewal`, { outcome: "fail" });
    await advanceToRenewal(subscriptionId);
    await applyEventsSince(marker);
    expect((await outbox()).find((r) => r.template === "payment_failed")).toMatchObject({ status: "pending" });

    // Before the notice went out (SMTP was slow, say), Stripe's retry paid the renewal.
    await control("POST", `/_sandbox/subscriptions/${subscriptionId}/next_renewal`, { outcome: "succeed" });
    await advanceToRetry(subscriptionId);
    await applyEventsSince(marker);
    expect((await outbox()).find((r) => r.template === "payment_failed")).toMatchObject({ status: "suppressed" });
    await sendViaSmtp();
    expect(smtp.received.map((m) => m.subject).some((subject) => /declin|fail/i.test(subject))).toBe(false);
    expect(smtp.received).toHaveLength(2);
  });
});
