import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { supporters } from "@/db/schema";
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
});
