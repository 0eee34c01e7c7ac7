import { and, eq, isNull, sql } from "drizzle-orm";
import type { Transaction } from "@/db";
import { gifts, payments, stripeCustomers, supporters } from "@/db/schema";
import { queueOneTimeReceipt } from "@/lib/email/notify";
import type { Attribution, GiftOptions } from "@/lib/stripe/metadata";
import { isErased } from "@/lib/supporters/tombstones";
import type { Settlement } from "@/lib/stripe/webhooks/settlement";

export type OneTimeGiftFacts = {
  livemode: boolean;
  supporter: { email: string; name: string | null; locale: string | null } | null;
  stripeCustomerId: string | null;
  gift: {
    stripeCheckoutSessionId: string;
    frequency: "once" | "monthly" | "annual";
    amountMinor: number;
    currency: string;
    givenAt: Date;
    attribution: Attribution;
    options: GiftOptions;
  };
  payment: PaymentFacts;
};

/** A payment as Stripe's charge records it: gross, and fee and net once the balance transaction is known. */
export type PaymentFacts = {
  stripePaymentIntentId: string;
  stripeChargeId: string;
  amountMinor: number;
  currency: string;
  paidAt: Date;
  settlement: Settlement | null;
};

const mode = (livemode: boolean) => (livemode ? "live" : "test") as "live" | "test";

/**
 * The supporter for an email, created on first sight; the email is the identity, lower-cased. Null
 * for someone who asked to be erased (by address, or by the Stripe customer when the caller knows
 * it): a webhook delivered or replayed after the erasure records its money fact with no supporter,
 * so no name or address comes back and no email is queued.
 */
export async function upsertSupporter(
  tx: Transaction,
  input: { email: string; name: string | null; locale: string | null; stripeCustomerId?: string | null },
): Promise<string | null> {
  const email = input.email.trim().toLowerCase();
  const [row] = await tx
    .insert(supporters)
    .values({ email, name: input.name, locale: input.locale })
    .onConflictDoUpdate({
      target: supporters.email,
      // Keep what we know; fill in what we did not.
      set: {
        name: sql`coalesce(${supporters.name}, excluded.name)`,
        locale: sql`coalesce(${supporters.locale}, excluded.locale)`,
        updatedAt: sql`now()`,
      },
    })
    .returning({ id: supporters.id });
  // Checked after the upsert, not before: an erasure that committed while this waited on the
  // supporter's row lock (lib/supporters/erase.ts) deleted that row, and the upsert then made a new
  // one, which goes again here. Within this transaction, so no one ever sees it.
  if (await isErased(tx, { email, stripeCustomerId: input.stripeCustomerId })) {
    await tx.delete(supporters).where(eq(supporters.id, row!.id));

    return null;
  }

  return row!.id;
}

/**
 * Records a one-time gift and its payment. Every insert is keyed on a Stripe id and does nothing
 * when the row exists, so any number of deliveries, in any order, leave exactly one gift and one
 * payment. A fee learnt later (charge.updated) fills a payment recorded without one, never the reverse.
 */
export async function recordOneTimeGift(tx: Transaction, facts: OneTimeGiftFacts): Promise<{ giftId: string }> {
  const supporterId = facts.supporter ? await upsertSupporter(tx, { ...facts.supporter, stripeCustomerId: facts.stripeCustomerId }) : null;
  if (facts.stripeCustomerId && supporterId) {
    await tx
      .insert(stripeCustomers)
      .values({ id: facts.stripeCustomerId, supporterId, livemode: mode(facts.livemode) })
      .onConflictDoNothing({ target: stripeCustomers.id });
  }

  const { gift, payment } = facts;
  const [insertedGift] = await tx
    .insert(gifts)
    .values({
      supporterId,
      stripeCheckoutSessionId: gift.stripeCheckoutSessionId,
      stripeCustomerId: facts.stripeCustomerId,
      frequency: gift.frequency,
      amountMinor: gift.amountMinor,
      currency: gift.currency,
      livemode: mode(facts.livemode),
      ...gift.attribution,
      feeCoveredMinor: gift.options.feeCoveredMinor,
      discreet: gift.options.discreet !== null,
      reminderId: gift.options.reminderId,
      givenAt: gift.givenAt,
    })
    .onConflictDoNothing({ target: gifts.stripeCheckoutSessionId })
    .returning({ id: gifts.id });
  const giftId =
    insertedGift?.id ??
    (await tx.select({ id: gifts.id }).from(gifts).where(eq(gifts.stripeCheckoutSessionId, gift.stripeCheckoutSessionId)))[0]!.id;

  const inserted = await insertPaymentOnce(
    tx,
    {
      giftId,
      supporterId,
      stripePaymentIntentId: payment.stripePaymentIntentId,
      stripeChargeId: payment.stripeChargeId,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      livemode: mode(facts.livemode),
      paidAt: payment.paidAt,
    },
    payment.settlement,
    payments.stripePaymentIntentId,
  );
  // The receipt commits with the payment, or neither does.
  if (inserted) await queueOneTimeReceipt(tx, { supporterId, ...payment });

  return { giftId };
}

/**
 * Inserts a payment unless the fact is already recorded under `uniqueOn` (its PaymentIntent for a
 * one-time gift, its invoice for a recurring one); then only a fee learnt since may be filled in.
 * Says whether this call recorded it, so what follows from a new payment (its receipt) happens once.
 */
export async function insertPaymentOnce(
  tx: Transaction,
  values: typeof payments.$inferInsert,
  settlement: Settlement | null,
  uniqueOn: typeof payments.stripePaymentIntentId | typeof payments.stripeInvoiceId,
): Promise<boolean> {
  const [inserted] = await tx
    .insert(payments)
    .values({ ...values, ...(settlement ?? {}) })
    .onConflictDoNothing({ target: uniqueOn })
    .returning({ id: payments.id });
  if (!inserted && settlement) await recordPaymentSettlement(tx, values.stripeChargeId, settlement);

  return inserted !== undefined;
}

/**
 * Fills fee and net on a payment that has none yet. Says whether the payment exists, so a fee that
 * arrives before its payment can wait for it.
 */
export async function recordPaymentSettlement(
  tx: Transaction,
  stripeChargeId: string,
  settlement: Settlement,
): Promise<"filled" | "already-settled" | "no-payment"> {
  const filled = await tx
    .update(payments)
    .set(settlement)
    .where(and(eq(payments.stripeChargeId, stripeChargeId), isNull(payments.feeMinor)))
    .returning({ id: payments.id });
  if (filled.length > 0) return "filled";
  const [existing] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.stripeChargeId, stripeChargeId));

  return existing ? "already-settled" : "no-payment";
}
