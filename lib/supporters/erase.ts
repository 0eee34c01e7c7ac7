import { createHash } from "node:crypto";
import { and, eq, isNotNull, ne, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { getDb, type Database } from "@/db";
import {
  erasedStripeCustomers,
  erasures,
  gifts,
  mailboxMessages,
  outboundEmails,
  recurringGifts,
  reminders,
  stripeCustomers,
  supporters,
  users,
  verificationTokens,
} from "@/db/schema";
import { ERASED_ADDRESS } from "@/lib/email/outbox";
import { AppError } from "@/lib/errors";
import { describeError, log } from "@/lib/log";
import { getStripe } from "@/lib/stripe/client";
import { GIFT_METADATA_KIND } from "@/lib/stripe/metadata";
import type { Actor } from "./actor";
import { customerTombstone, emailTombstone } from "./tombstones";

export type ErasureSummary = {
  recurringGiftsCancelled: number;
  stripeCustomersStripped: number;
  giftsKept: number;
  emailsErased: number;
  remindersErased: number;
  usersDeleted: number;
};

// Subscriptions that still take money, or may: anything Stripe has not ended.
const ENDED_AT_STRIPE = new Set(["canceled", "incomplete_expired"]);

/**
 * Erases the signed-in supporter, as they asked from their account:
 *
 * 1. At Stripe first, so that nothing is deleted here while money could still be taken: every
 *    recurring gift of theirs that has not ended is cancelled now (not at the period end), and each
 *    of their Stripe customers is stripped of name, email, phone and address. Each call carries an
 *    idempotency key, so pressing again after a failure repeats nothing. If Stripe cannot be
 *    reached, nothing here is touched and they can try again.
 * 2. Then, in one transaction: a tombstone (keyed hashes of the address and of each customer id,
 *    lib/supporters/tombstones.ts) that keeps any webhook delivered or replayed later from
 *    recreating them; the supporter row deleted (their gifts, recurring gifts and payments stay, with
 *    no supporter: the money facts and every total are unchanged); the outbox's addresses and
 *    bodies of emails to them; reminders' addresses; their sign-in users, sessions and links.
 *
 * A signed-in address with no gifts still has its sign-in user and emails erased. Someone who
 * gives again from the same address afterwards is recorded without name or address (as a discreet
 * gift is): the tombstone cannot tell a new gift from an old one replayed.
 */
export async function eraseSupporter(actor: Actor, options: { stripe?: Stripe; db?: Database } = {}): Promise<ErasureSummary> {
  if (actor.kind !== "supporter") throw new AppError("NOT_FOUND", "There is no account here to erase.");
  const db = options.db ?? getDb();
  const stripe = options.stripe ?? getStripe();
  const email = actor.email.trim().toLowerCase();
  const [supporter] = await db.select({ id: supporters.id }).from(supporters).where(eq(supporters.email, email));
  const supporterId = supporter?.id ?? null;

  const customerIds = supporterId ? await customersOf(db, supporterId) : [];
  const activeSubscriptions = supporterId ? await activeSubscriptionsOf(db, supporterId) : [];
  // The idempotency keys are the supporter's, so a second press reuses them; never their address.
  const keyBase = `erase:${supporterId ?? createHash("sha256").update(email).digest("hex").slice(0, 32)}`;
  let cancelled = 0;
  let stripped = 0;
  try {
    const subscriptionIds = new Set(activeSubscriptions);
    // A recurring gift whose webhook has not reached us yet is still theirs at Stripe.
    for (const customer of customerIds) {
      for await (const subscription of stripe.subscriptions.list({ customer, status: "all", limit: 100 })) {
        if (!ENDED_AT_STRIPE.has(subscription.status) && subscription.metadata?.kind === GIFT_METADATA_KIND) subscriptionIds.add(subscription.id);
      }
    }
    for (const id of subscriptionIds) {
      const subscription = await retrieveOrNull(() => stripe.subscriptions.retrieve(id));
      if (!subscription || ENDED_AT_STRIPE.has(subscription.status)) continue;
      await stripe.subscriptions.cancel(id, {}, { idempotencyKey: `${keyBase}:cancel:${id}` });
      cancelled++;
    }
    for (const id of customerIds) {
      const customer = await retrieveOrNull(() => stripe.customers.retrieve(id));
      if (!customer || customer.deleted) continue;
      const params = strippedCustomerParams(customer);
      if (Object.keys(params).length > 0) {
        // The key covers the parameters: a retry after a partial change sends other ones.
        const digest = createHash("sha256").update(JSON.stringify(params)).digest("hex").slice(0, 16);
        await stripe.customers.update(id, params, { idempotencyKey: `${keyBase}:customer:${id}:${digest}` });
      }
      stripped++;
    }
  } catch (error) {
    log.warn("erasure stopped at Stripe", { error: describeError(error) });
    throw new AppError("STRIPE_UNAVAILABLE", "We could not reach our payment provider, so nothing was erased yet. Please try again in a few minutes.", { cause: error });
  }

  const summary = await withDeadlockRetry(() => db.transaction(async (tx) => {
    // Locks in the webhook worker's order (lib/recurring/record.ts: the recurring gift's row, then the
    // supporter's), or the two deadlock: the supporter's recurring gifts first, in id order.
    if (supporterId) {
      await tx.select({ id: recurringGifts.id }).from(recurringGifts).where(eq(recurringGifts.supporterId, supporterId)).orderBy(recurringGifts.id).for("update");
    }
    // Under this lock a webhook that upserts them waits, and then finds the tombstone (record-gift.ts).
    if (supporterId) await tx.select({ id: supporters.id }).from(supporters).where(eq(supporters.id, supporterId)).for("update");
    const [inserted] = await tx.insert(erasures).values({ emailHash: emailTombstone(email) }).onConflictDoNothing({ target: erasures.emailHash }).returning({ id: erasures.id });
    const erasureId = inserted?.id ?? (await tx.select({ id: erasures.id }).from(erasures).where(eq(erasures.emailHash, emailTombstone(email))))[0]!.id;
    if (customerIds.length > 0) {
      await tx
        .insert(erasedStripeCustomers)
        .values(customerIds.map((id) => ({ customerHash: customerTombstone(id), erasureId })))
        .onConflictDoNothing({ target: erasedStripeCustomers.customerHash });
    }

    const toThem = supporterId ? or(eq(outboundEmails.supporterId, supporterId), sql`lower(${outboundEmails.toAddress}) = ${email}`) : sql`lower(${outboundEmails.toAddress}) = ${email}`;
    const emailsErased = await tx
      .update(outboundEmails)
      .set({
        // Not sent yet: never to be. Being sent or sent: the record stays, without address or body.
        status: sql`case when ${outboundEmails.status} = 'pending' then 'suppressed'::email_status else ${outboundEmails.status} end`,
        toAddress: ERASED_ADDRESS,
        props: null,
        lastError: null,
        supporterId: null,
      })
      .where(toThem)
      .returning({ id: outboundEmails.id });
    await tx.delete(mailboxMessages).where(sql`lower(${mailboxMessages.toAddress}) = ${email}`);
    const remindersErased = await tx.update(reminders).set({ email: null }).where(eq(reminders.email, email)).returning({ id: reminders.id });
    const usersDeleted = await tx.delete(users).where(sql`lower(${users.email}) = ${email}`).returning({ id: users.id });
    await tx.delete(verificationTokens).where(sql`lower(${verificationTokens.identifier}) = ${email}`);

    let giftsKept = 0;
    if (supporterId) {
      // Words they typed when cancelling may name them; the rest of a recurring gift is money facts.
      await tx.update(recurringGifts).set({ cancellationFeedback: null }).where(and(eq(recurringGifts.supporterId, supporterId), isNotNull(recurringGifts.cancellationFeedback)));
      giftsKept =
        (await tx.select({ n: sql<number>`count(*)::int` }).from(gifts).where(eq(gifts.supporterId, supporterId)))[0]!.n +
        (await tx.select({ n: sql<number>`count(*)::int` }).from(recurringGifts).where(eq(recurringGifts.supporterId, supporterId)))[0]!.n;
      // Gifts, recurring gifts and payments keep their rows with supporter_id set to null (the
      // foreign keys say so); their Stripe customers go with them.
      await tx.delete(supporters).where(eq(supporters.id, supporterId));
    }
    const result: ErasureSummary = {
      recurringGiftsCancelled: cancelled,
      stripeCustomersStripped: stripped,
      giftsKept,
      emailsErased: emailsErased.length,
      remindersErased: remindersErased.length,
      usersDeleted: usersDeleted.length,
    };
    await tx.update(erasures).set({ summary: result }).where(eq(erasures.id, erasureId));

    return result;
  }));
  log.info("supporter erased", { ...summary });

  return summary;
}

/** Every Stripe customer we know them by: linked to them, or named on one of their gifts. */
async function customersOf(db: Database, supporterId: string): Promise<string[]> {
  const [linked, oneTime, recurring] = await Promise.all([
    db.select({ id: stripeCustomers.id }).from(stripeCustomers).where(eq(stripeCustomers.supporterId, supporterId)),
    db.select({ id: gifts.stripeCustomerId }).from(gifts).where(and(eq(gifts.supporterId, supporterId), isNotNull(gifts.stripeCustomerId))),
    db.select({ id: recurringGifts.stripeCustomerId }).from(recurringGifts).where(eq(recurringGifts.supporterId, supporterId)),
  ]);

  return [...new Set([...linked, ...oneTime, ...recurring].map((row) => row.id).filter((id): id is string => id !== null))].sort();
}

async function activeSubscriptionsOf(db: Database, supporterId: string): Promise<string[]> {
  const rows = await db
    .select({ id: recurringGifts.stripeSubscriptionId })
    .from(recurringGifts)
    .where(and(eq(recurringGifts.supporterId, supporterId), ne(recurringGifts.status, "ended")));

  return rows.map((row) => row.id);
}

/** Stripe unsets a field sent empty; only what the customer holds is sent. */
function strippedCustomerParams(customer: Stripe.Customer): Stripe.CustomerUpdateParams {
  const params: Stripe.CustomerUpdateParams = {};
  if (customer.name) params.name = "";
  if (customer.email) params.email = "";
  if (customer.phone) params.phone = "";
  if (customer.address) params.address = "";
  if (customer.shipping) params.shipping = "";
  if (customer.description) params.description = "";

  return params;
}

async function retrieveOrNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if ((error as { code?: unknown }).code === "resource_missing") return null;
    throw error;
  }
}

/**
 * PostgreSQL ends one of two transactions that wait on each other (40P01) or cannot be serialised
 * (40001); the erasure, all or nothing, is simply run again. Lock order makes it rare; this makes it
 * harmless.
 */
async function withDeadlockRetry<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown; cause?: { code?: unknown } }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
      if (attempt >= attempts || (code !== "40P01" && code !== "40001")) throw error;
      log.warn("erasure retried after a deadlock", { attempt });
    }
  }
}
