import { asc, inArray, sql } from "drizzle-orm";
import { getDb } from "@/db";
import {
  disputes,
  financeAttribution,
  financeCohorts,
  financeDaily,
  financeRecurringAttribution,
  financeRecurringDaily,
  financeRecurringNow,
  financeSupporterDays,
  financeSupporterPairs,
  gifts,
  mailboxMessages,
  outboundEmails,
  paymentFailures,
  payments,
  payoutTransactions,
  payouts,
  recurringGifts,
  refunds,
  stripeCustomers,
  stripeEvents,
  supporters,
} from "@/db/schema";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";

/**
 * A manage link is signed with the gift's random key and the time it was queued, so two runs of the
 * same life differ in it: kept as the page it leads to and its language.
 */
function withoutLinkSignature(stored: unknown): unknown {
  const props = stored as Record<string, unknown> | null;
  if (!props || typeof props.manageUrl !== "string") return stored;
  const url = new URL(props.manageUrl);
  url.searchParams.set("token", url.searchParams.get("token") ? "(signed)" : "(none)");

  return { ...props, manageUrl: url.toString() };
}

/**
 * Everything the ledger holds, without our generated ids and clocks (and without when each row was
 * last read from Stripe), keyed by Stripe's ids, for comparing two runs.
 */
export async function ledgerSnapshot() {
  const db = getDb();
  const supporterRows = await db.select().from(supporters).orderBy(asc(supporters.email));
  const emailOf = new Map(supporterRows.map((s) => [s.id, s.email]));
  const giftRows = await db.select().from(gifts).orderBy(asc(gifts.stripeCheckoutSessionId));
  const sessionOf = new Map(giftRows.map((g) => [g.id, g.stripeCheckoutSessionId]));
  const recurringRows = await db.select().from(recurringGifts).orderBy(asc(recurringGifts.stripeSubscriptionId));
  const subscriptionOf = new Map(recurringRows.map((g) => [g.id, g.stripeSubscriptionId]));
  const paymentRows = await db.select().from(payments).orderBy(asc(payments.stripePaymentIntentId));
  const chargeOf = new Map(paymentRows.map((p) => [p.id, p.stripeChargeId]));

  return {
    supporters: supporterRows.map(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => rest),
    stripeCustomers: (await db.select().from(stripeCustomers).orderBy(asc(stripeCustomers.id))).map(({ supporterId, createdAt: _c, ...rest }) => ({
      ...rest,
      supporter: emailOf.get(supporterId),
    })),
    gifts: giftRows.map(({ id: _id, recordedAt: _r, supporterId, ...rest }) => ({ ...rest, supporter: supporterId ? emailOf.get(supporterId) : null })),
    // The manage key is random per row (migration 0004): not part of what Stripe told us.
    recurringGifts: recurringRows.map(({ id: _id, createdAt: _c, updatedAt: _u, stripeSyncedAt: _s, manageKey: _k, supporterId, ...rest }) => ({
      ...rest,
      supporter: supporterId ? emailOf.get(supporterId) : null,
    })),
    payments: paymentRows.map(({ id: _id, recordedAt: _r, supporterId, giftId, recurringGiftId, ...rest }) => ({
      ...rest,
      supporter: supporterId ? emailOf.get(supporterId) : null,
      gift: giftId ? sessionOf.get(giftId) : null,
      recurringGift: recurringGiftId ? subscriptionOf.get(recurringGiftId) : null,
    })),
    refunds: (await db.select().from(refunds).orderBy(asc(refunds.stripeRefundId))).map(
      ({ id: _id, recordedAt: _r, stripeSyncedAt: _s, paymentId, ...rest }) => ({ ...rest, payment: chargeOf.get(paymentId) }),
    ),
    disputes: (await db.select().from(disputes).orderBy(asc(disputes.stripeDisputeId))).map(
      ({ id: _id, recordedAt: _r, stripeSyncedAt: _s, paymentId, ...rest }) => ({ ...rest, payment: chargeOf.get(paymentId) }),
    ),
    paymentFailures: (
      await db.select().from(paymentFailures).orderBy(asc(paymentFailures.stripeInvoiceId), asc(paymentFailures.attemptCount), asc(paymentFailures.kind))
    ).map(({ id: _id, recordedAt: _r, recurringGiftId, ...rest }) => ({ ...rest, recurringGift: subscriptionOf.get(recurringGiftId) })),
    // Payouts and what each carried, with the links to our rows as Stripe's ids.
    payouts: await payoutsSnapshot(chargeOf),
    // The emails the facts queued: the same facts, in any order, must queue the same emails.
    emails: (await db.select().from(outboundEmails).orderBy(asc(outboundEmails.idempotencyKey))).map(
      ({ idempotencyKey, template, toAddress, locale, status, props }) => ({ idempotencyKey, template, toAddress, locale, status, props: withoutLinkSignature(props) }),
    ),
  };
}

async function payoutsSnapshot(chargeOf: Map<string, string>) {
  const db = getDb();
  const refundOf = new Map((await db.select({ id: refunds.id, stripeId: refunds.stripeRefundId }).from(refunds)).map((r) => [r.id, r.stripeId]));
  const disputeOf = new Map((await db.select({ id: disputes.id, stripeId: disputes.stripeDisputeId }).from(disputes)).map((d) => [d.id, d.stripeId]));
  const lines = await db.select().from(payoutTransactions).orderBy(asc(payoutTransactions.stripeBalanceTransactionId));

  return (await db.select().from(payouts).orderBy(asc(payouts.stripePayoutId))).map(({ id, recordedAt: _r, stripeSyncedAt: _s, reconciledAt, ...rest }) => ({
    ...rest,
    reconciled: reconciledAt !== null,
    transactions: lines
      .filter((line) => line.payoutId === id)
      .map(({ id: _id, payoutId: _p, paymentId, refundId, disputeId, ...line }) => ({
        ...line,
        payment: paymentId ? chargeOf.get(paymentId) : null,
        refund: refundId ? refundOf.get(refundId) : null,
        dispute: disputeId ? disputeOf.get(disputeId) : null,
      })),
  }));
}

export type LedgerSnapshot = Awaited<ReturnType<typeof ledgerSnapshot>>;

// The rollups go with the ledger: a truncate fires no row trigger to take the facts out of them.
export async function clearLedger(): Promise<void> {
  await getDb().execute(
    sql`truncate ${payoutTransactions}, ${payouts}, ${outboundEmails}, ${mailboxMessages}, ${disputes}, ${refunds}, ${paymentFailures}, ${payments}, ${recurringGifts}, ${gifts}, ${stripeCustomers}, ${supporters}, ${stripeEvents},
      ${financeDaily}, ${financeAttribution}, ${financeRecurringAttribution}, ${financeRecurringDaily}, ${financeRecurringNow}, ${financeCohorts},
      ${financeSupporterDays}, ${financeSupporterPairs} cascade`,
  );
}

/** Makes every pending event due now, as if its backoff had passed. */
export async function makePendingDue() {
  return getDb()
    .update(stripeEvents)
    .set({ nextAttemptAt: sql`now() - interval '1 second'` })
    // Locked in id order first, as a worker's batch locks its events: two of these at once, or one
    // beside a batch, then wait for each other instead of deadlocking (seen in CI).
    .where(inArray(stripeEvents.id, sql`(select id from stripe_events where status = 'pending' order by id for update)`))
    .returning({ id: stripeEvents.id, type: stripeEvents.type, lastError: stripeEvents.lastError });
}

/**
 * Drains the inbox until nothing is pending: an event that waits for another (a refund before its
 * payment) is made due again at once instead of after its backoff. Fails if events stay pending
 * (waiting for something that never comes, or failing for real).
 */
export async function drainUntilSettled(maxRounds = 8): Promise<void> {
  for (let round = 0; round < maxRounds; round++) {
    await drainStripeEvents();
    const waiting = await makePendingDue();
    if (waiting.length === 0) return;
    if (round === maxRounds - 1) throw new Error(`events still pending: ${JSON.stringify(waiting)}`);
  }
}

export async function countRows() {
  const db = getDb();
  const count = async (table: typeof gifts | typeof payments | typeof supporters | typeof stripeEvents | typeof stripeCustomers | typeof recurringGifts) =>
    (await db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;

  return {
    supporters: await count(supporters),
    stripeCustomers: await count(stripeCustomers),
    gifts: await count(gifts),
    recurringGifts: await count(recurringGifts),
    payments: await count(payments),
    stripeEvents: await count(stripeEvents),
  };
}
