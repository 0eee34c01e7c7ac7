import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { eq } from "drizzle-orm";
import { payments, supporters } from "@/db/schema";
import { sendDueEmails } from "@/lib/email/sender";
import { smtpTransport } from "@/lib/email/transport";
import { queueYearlyStatements } from "@/lib/scheduled/yearly-statements";
import { useTestDatabase } from "../../support/database";
import { applyEventsSince, giveOnceAndSettle, outbox, type SmtpServer, useEmailSuite } from "../../support/email-suite";
import { lastEventId, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

// A stand-in of its own: the suite's set-up cancels every subscription in it.
usePrivateSandbox();
const database = useTestDatabase();

let smtp: SmtpServer;
useEmailSuite((server) => (smtp = server));

const sendViaSmtp = (options: Parameters<typeof sendDueEmails>[0] = {}) => sendDueEmails({ transport: smtpTransport(smtp.url()), ...options });

describe(`yearly statements on ${database.kind}, through a real SMTP server`, () => {
  it("queues one yearly statement per supporter, with totals per currency, however often it runs", async () => {
    await giveOnceAndSettle("yearly@example.org", { amount: 2500, currency: "eur" });
    await giveOnceAndSettle("yearly@example.org", { amount: 1000, currency: "usd" });
    await sendViaSmtp();
    smtp.received.length = 0;
    // The stand-in's clock (which TEST_CLOCK_START may put ahead) dates the payments, not this machine's.
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

  it("sends no statement to a supporter who turned statements off, and shows it was not sent", async () => {
    await giveOnceAndSettle("no-statements@example.org", { amount: 2500, currency: "eur" });
    await getDb().update(supporters).set({ wantsStatements: false }).where(eq(supporters.email, "no-statements@example.org"));
    await sendViaSmtp();
    smtp.received.length = 0;
    const year = (await getDb().select({ paidAt: payments.paidAt }).from(payments))[0]!.paidAt.getUTCFullYear();
    expect(await queueYearlyStatements(year)).toBe(1);
    const statements = (await outbox()).filter((r) => r.template === "yearly_statement");
    expect(statements.map((r) => [r.status, r.props])).toEqual([["suppressed", null]]);
    await sendViaSmtp();
    expect(smtp.received).toHaveLength(0);
  });

  it("nets refunds out of the totals, as the account's PDF does", async () => {
    await giveOnceAndSettle("refunded@example.org", { amount: 2500, currency: "eur" });
    const [paid] = await getDb().select({ charge: payments.stripeChargeId, paidAt: payments.paidAt }).from(payments);
    const marker = await lastEventId();
    await sandboxStripe().refunds.create({ charge: paid!.charge, amount: 1000 });
    await applyEventsSince(marker);
    await sendViaSmtp();
    smtp.received.length = 0;
    const year = paid!.paidAt.getUTCFullYear();
    await queueYearlyStatements(year);
    await sendViaSmtp();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.text).toMatch(/Total in EUR\s+€15\.00/);
    expect(smtp.received[0]!.text).toContain("€25.00 given, less €10.00 refunded or taken back by your bank");
  });
});
