import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { supporters } from "@/db/schema";
import { enqueueAddressEmail, enqueueSupporterEmail, ERASED_ADDRESS } from "@/lib/email/outbox";
import { sendDueEmails } from "@/lib/email/sender";
import { smtpTransport } from "@/lib/email/transport";
import { useTestDatabase } from "../../support/database";
import { giveOnceAndSettle, outbox, type SmtpServer, useEmailSuite } from "../../support/email-suite";
import { usePrivateSandbox } from "../../support/stripe";

// A stand-in of its own: the suite's set-up cancels every subscription in it.
usePrivateSandbox();
const database = useTestDatabase();

let smtp: SmtpServer;
useEmailSuite((server) => (smtp = server));

const sendViaSmtp = (options: Parameters<typeof sendDueEmails>[0] = {}) => sendDueEmails({ transport: smtpTransport(smtp.url()), ...options });

describe(`the outbox on ${database.kind}, through a real SMTP server`, () => {
  it("sends nothing to a supporter who chose discreet giving, and shows it was suppressed", async () => {
    await getDb().insert(supporters).values({ email: "discreet@example.org", discreet: true });
    await giveOnceAndSettle("discreet@example.org");
    const [row] = await outbox();
    expect(row).toMatchObject({ status: "suppressed", props: null });
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);
  });

  it("honours the supporter's choices: no receipt or reminder they turned off, while news of their money always goes", async () => {
    const [supporter] = await getDb()
      .insert(supporters)
      .values({ email: "prefs@example.org", wantsReceipts: false, wantsReminders: false })
      .returning({ id: supporters.id });
    await giveOnceAndSettle("prefs@example.org");
    await getDb().transaction(async (tx) => {
      await enqueueAddressEmail(tx, {
        to: "Prefs@Example.org",
        locale: "en",
        template: "reminder",
        idempotencyKey: "reminder:prefs-test",
        props: { reopenUrl: "http://localhost:3000/donate", cancelUrl: "http://localhost:3000/reminders/cancel", unsubscribeUrl: "http://localhost:3000/reminders/cancel", amountMinor: 1000, currency: "eur", frequency: "once" },
      });
      await enqueueSupporterEmail(tx, supporter!.id, {
        idempotencyKey: "payment-failed:in_prefs:1",
        template: "payment_failed",
        props: () => ({ amountMinor: 1000, currency: "eur", frequency: "monthly", attemptCount: 1, nextAttemptAt: null, updateCardUrl: "http://localhost:3000/account", manageUrl: null }),
      });
    });
    const rows = await outbox();
    expect(rows.map((r) => [r.template, r.status])).toEqual([
      ["receipt_one_time", "suppressed"],
      ["reminder", "suppressed"],
      ["payment_failed", "pending"],
    ]);
    expect(rows[0]!.props).toBeNull();
    // A reminder suppressed for its address keeps neither the address nor what it would have said.
    expect(rows[1]).toMatchObject({ toAddress: ERASED_ADDRESS, props: null });

    expect(await sendViaSmtp()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(smtp.received.map((m) => m.to)).toEqual([["prefs@example.org"]]);
    expect(smtp.received[0]!.subject).not.toMatch(/receipt/i);
  });
});
