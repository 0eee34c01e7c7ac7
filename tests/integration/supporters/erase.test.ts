import { eq, inArray, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { erasedStripeCustomers, erasures, gifts, outboundEmails, payments, recurringGifts, reminders, sessions, stripeEvents, supporters, users } from "@/db/schema";
import { sendDueEmails } from "@/lib/email/sender";
import { smtpTransport } from "@/lib/email/transport";
import { eraseSupporter } from "@/lib/supporters/erase";
import { customerTombstone, emailTombstone } from "@/lib/supporters/tombstones";
import { signedIn } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { applyEventsSince, giveOnceAndSettle, type SmtpServer, startMonthly, useEmailSuite } from "../../support/email-suite";
import { giveOnce } from "../../support/gifts";
import { drainUntilSettled } from "../../support/ledger";
import { deliver, eventsAfter, lastEventId, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

// A stand-in of its own: the suite's set-up cancels every subscription in it.
usePrivateSandbox();
const database = useTestDatabase();

let smtp: SmtpServer;
useEmailSuite((server) => (smtp = server));

const sendViaSmtp = () => sendDueEmails({ transport: smtpTransport(smtp.url()) });
const ERASED = "erase-me@example.org";

/** Every row of every table of ours, as text: where an address could hide. */
async function everyRowAsText(): Promise<string> {
  const db = getDb();
  const rows = await db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like '%drizzle%'`,
  );
  const tables = (Array.isArray(rows) ? rows : (rows as unknown as { rows: Array<{ table_name: string }> }).rows).map((r) => r.table_name);
  expect(tables).toEqual(expect.arrayContaining(["supporters", "outbound_emails", "reminders", "users", "stripe_events", "mailbox_messages"]));
  let text = "";
  for (const table of tables) {
    const result = await db.execute(sql.raw(`select row_to_json(t)::text as row from "${table}" t`));
    const list = Array.isArray(result) ? result : (result as unknown as { rows: Array<{ row: string }> }).rows;
    text += list.map((r) => (r as { row: string }).row).join("\n");
  }

  return text.toLowerCase();
}

/**
 * Replays every event Stripe sent, as an operator re-queueing the inbox would: each stored event
 * pending again with its payload (which the inbox cleared once it was applied; Stripe keeps events
 * 30 days), then applied.
 */
async function replay(events: Stripe.Event[]) {
  const db = getDb();
  for (const event of events) {
    await db
      .update(stripeEvents)
      .set({ status: "pending", payload: event, attempts: 0, lastError: null, lockedUntil: null, nextAttemptAt: sql`now() - interval '1 second'` })
      .where(eq(stripeEvents.id, event.id));
  }
  await drainUntilSettled();
}

async function moneyFacts() {
  const db = getDb();

  return {
    gifts: (await db.select({ n: sql<number>`count(*)::int` }).from(gifts))[0]!.n,
    recurringGifts: (await db.select({ n: sql<number>`count(*)::int` }).from(recurringGifts))[0]!.n,
    totals: await db
      .select({ currency: payments.currency, count: sql<number>`count(*)::int`, total: sql<number>`sum(${payments.amountMinor})::int` })
      .from(payments)
      .groupBy(payments.currency)
      .orderBy(payments.currency),
  };
}

describe(`erasing a supporter on ${database.kind}`, () => {
  it("cancels at Stripe, strips the customer, removes every personal trace, keeps the money, and no webhook brings them back", async () => {
    const stripe = sandboxStripe();
    const start = await lastEventId();
    await giveOnceAndSettle(ERASED, { amount: 2500, currency: "eur" });
    const monthly = await startMonthly(ERASED);
    await applyEventsSince(monthly.marker);
    // A gift whose webhooks reach us only after the erasure.
    const late = await giveOnce({ email: ERASED, amount: 3000, currency: "eur" });
    await giveOnceAndSettle("keep-me@example.org", { amount: 900, currency: "usd" });
    await sendViaSmtp();
    await getDb()
      .insert(reminders)
      .values({ visitorId: "v-erase", email: ERASED, emailGiven: true, choice: "month", locale: "en", dueAt: new Date("2030-01-01T00:00:00Z"), frequency: "once", amountMinor: 1500, currency: "eur" });
    const owner = await signedIn(ERASED);
    const [supporter] = await getDb().select().from(supporters).where(eq(supporters.email, ERASED));
    const customerIds = (await getDb().select({ id: recurringGifts.stripeCustomerId }).from(recurringGifts).where(eq(recurringGifts.supporterId, supporter!.id))).map((r) => r.id);
    const before = await moneyFacts();
    expect(before.gifts).toBe(2);
    expect(before.recurringGifts).toBe(1);

    const summary = await eraseSupporter(owner);
    expect(summary).toMatchObject({ recurringGiftsCancelled: 1, usersDeleted: 1, remindersErased: 1 });
    expect(summary.stripeCustomersStripped).toBeGreaterThanOrEqual(2);

    // At Stripe: the recurring gift cancelled now, and the customers hold no name or address.
    expect((await stripe.subscriptions.retrieve(monthly.subscriptionId)).status).toBe("canceled");
    for (const id of customerIds) {
      const customer = (await stripe.customers.retrieve(id)) as Stripe.Customer;
      expect(customer.email).toBeNull();
      expect(customer.name).toBeNull();
    }
    // The tombstones: keyed hashes only.
    const db = getDb();
    expect(await db.select({ emailHash: erasures.emailHash }).from(erasures)).toEqual([{ emailHash: emailTombstone(ERASED) }]);
    const hashes = (await db.select().from(erasedStripeCustomers)).map((r) => r.customerHash);
    for (const id of customerIds) expect(hashes).toContain(customerTombstone(id));
    expect(await everyRowAsText()).not.toContain(ERASED);
    expect(await db.select().from(users).where(eq(users.email, ERASED))).toEqual([]);
    expect(await db.select().from(sessions)).toEqual([]);

    // Every event since the start: the late gift's, the cancellation's, the customer updates, all
    // delivered now; then every stored one replayed.
    const events = await eventsAfter(start);
    await deliver(events);
    await drainUntilSettled();
    await replay(events);

    expect(await db.select().from(supporters).where(eq(supporters.email, ERASED))).toEqual([]);
    expect(await everyRowAsText()).not.toContain(ERASED);
    // The money facts: the same, plus the late gift, recorded with no supporter.
    const after = await moneyFacts();
    expect(after.gifts).toBe(3);
    expect(after.recurringGifts).toBe(1);
    expect(after.totals).toEqual(before.totals.map((t) => (t.currency === "eur" ? { ...t, count: t.count + 1, total: t.total + 3000 } : t)));
    const [lateGift] = await db.select().from(gifts).where(eq(gifts.stripeCheckoutSessionId, late.session.id));
    expect(lateGift!.supporterId).toBeNull();
    const [ended] = await db.select().from(recurringGifts).where(eq(recurringGifts.stripeSubscriptionId, monthly.subscriptionId));
    expect(ended).toMatchObject({ status: "ended", supporterId: null });
    const erasedPayments = await db.select({ supporterId: payments.supporterId }).from(payments).where(inArray(payments.currency, ["eur"]));
    expect(erasedPayments.every((p) => p.supporterId === null)).toBe(true);

    // No email was queued for them afterwards, and none goes.
    smtp.received.length = 0;
    expect((await db.select().from(outboundEmails).where(eq(outboundEmails.status, "pending"))).length).toBe(0);
    await sendViaSmtp();
    expect(smtp.received).toHaveLength(0);
    // Someone else is untouched.
    expect((await db.select().from(supporters).where(eq(supporters.email, "keep-me@example.org"))).length).toBe(1);
  });
});
