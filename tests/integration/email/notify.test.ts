import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { sendDueEmails } from "@/lib/email/sender";
import { verifyManageToken } from "@/lib/supporters/manage-links";
import { smtpTransport } from "@/lib/email/transport";
import { useTestDatabase } from "../../support/database";
import { applyEventsSince, giveOnceAndSettle, outbox, type SmtpServer, startMonthly, useEmailSuite } from "../../support/email-suite";
import { advanceAPeriod, advanceToPeriodEnd, advanceToRenewal, advanceToRetry, control, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

// Moves the stand-in's clock for renewals, so it has a stand-in of its own.
usePrivateSandbox();
const database = useTestDatabase();

let smtp: SmtpServer;
useEmailSuite((server) => (smtp = server));

const sendViaSmtp = (options: Parameters<typeof sendDueEmails>[0] = {}) => sendDueEmails({ transport: smtpTransport(smtp.url()), ...options });

describe(`the emails a gift's facts queue on ${database.kind}, through a real SMTP server`, () => {
  it("sends one receipt for a one-time gift, however often its events arrive, with the same Message-ID as queued", async () => {
    await giveOnceAndSettle("once.reader@example.org");
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
    // Each receipt carries the gift's manage link, in the gift's language, and the link opens that gift.
    for (const mail of receipts) {
      const link = /http:\/\/localhost:3000\/manage\?token=[A-Za-z0-9_.-]+&lang=ru/.exec(mail.text)?.[0];
      expect(link, mail.subject).toBeDefined();
      // Signed when queued, at the real time: checked at the real time.
      // eslint-disable-next-line no-restricted-syntax -- a signature's time is this machine's, as in the app
      const check = await verifyManageToken(new URL(link!).searchParams.get("token")!, getDb(), new Date());
      expect(check.ok).toBe(true);
    }
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
    // And the gift's own page, to update the card for the next payments.
    expect(mail.text).toMatch(/http:\/\/localhost:3000\/manage\?token=[A-Za-z0-9_.-]+/);
  });

  it("tells the supporter their gift is set to end, then that it ended; nothing is charged after", async () => {
    const { marker, subscriptionId } = await startMonthly("leaving@example.org");
    await sandboxStripe().subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await applyEventsSince(marker);
    await sendViaSmtp();
    // Queued in one transaction (one timestamp), so compared as a set.
    expect((await outbox()).map((r) => r.template).sort()).toEqual(["receipt_recurring", "recurring_ending"]);
    // Until it ends, the gift can be kept: the email links to its page.
    const ending = smtp.received.find((m) => m.text.includes("Keep my gift"));
    expect(ending?.text).toMatch(/http:\/\/localhost:3000\/manage\?token=[A-Za-z0-9_.-]+/);

    await advanceToPeriodEnd(subscriptionId);
    await advanceAPeriod(subscriptionId);
    await applyEventsSince(marker);
    await sendViaSmtp();
    expect((await outbox()).map((r) => `${r.template} ${r.status}`).sort()).toEqual(["receipt_recurring sent", "recurring_ended sent", "recurring_ending sent"]);
    expect(smtp.received.map((m) => m.to[0])).toEqual(["leaving@example.org", "leaving@example.org", "leaving@example.org"]);
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
