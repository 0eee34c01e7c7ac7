import { afterAll, beforeAll, beforeEach } from "vitest";
import { getDb } from "@/db";
import { outboundEmails } from "@/db/schema";
import { ensureGiftProducts, giveOnce, startRecurringGift } from "./gifts";
import { clearLedger, drainUntilSettled } from "./ledger";
import { startSmtpServer } from "./smtp";
import { deliver, eventsAfter, sandboxStripe } from "./stripe";

export type SmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;

/**
 * The email suites' set-up, for a file with a stand-in of its own (it cancels every subscription in
 * it): a real SMTP server for the file, handed to `started`, and the fixed gift products; before each
 * test an empty ledger and outbox, a server that takes everything again, and no live subscription.
 * Call at the top level, after usePrivateSandbox() and useTestDatabase().
 */
export function useEmailSuite(started: (smtp: SmtpServer) => void): void {
  let smtp: SmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    started(smtp);
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
}

/** The outbox, oldest first. */
export const outbox = () => getDb().select().from(outboundEmails).orderBy(outboundEmails.createdAt);

/** A one-time gift paid through the stand-in, its events delivered and applied: its emails are queued. */
export async function giveOnceAndSettle(email: string, options: { locale?: string; amount?: number; currency?: string } = {}) {
  const { events } = await giveOnce({ email, amount: options.amount, currency: options.currency, metadata: { locale: options.locale ?? "en" } });
  await deliver(events);
  await drainUntilSettled();
}

/** A monthly gift started through the stand-in's Checkout (its events not yet delivered). */
export const startMonthly = (email: string, options: { locale?: string; card?: string } = {}) =>
  startRecurringGift({ email, card: options.card, metadata: { locale: options.locale ?? "en" } });

/** Delivers and applies every event since `marker`. */
export async function applyEventsSince(marker: string | undefined) {
  await deliver(await eventsAfter(marker));
  await drainUntilSettled();
}
