import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { payments } from "@/db/schema";
import { findGiftByCheckoutSession } from "./gifts";
import { findRecurringGiftByCheckoutSession } from "./recurring-gifts";

export type ReceiptLine = {
  date: Date;
  amountMinor: number;
  currency: string;
  frequency: "once" | "monthly" | "annual";
  /** The charge's id: what the giver's bank and Stripe know the payment by. */
  reference: string;
  feeCoveredMinor: number;
};

/**
 * The first payment of the gift a Checkout Session made, for its saved receipt: the one-time gift's
 * payment, or the recurring gift's first. Null until the webhook has landed it. Names no one.
 */
export async function findReceiptForCheckoutSession(
  sessionId: string,
): Promise<{ locale: string | null; line: ReceiptLine | null; recurringGiftId?: string } | null> {
  const [gift, recurringGift] = await Promise.all([findGiftByCheckoutSession(sessionId), findRecurringGiftByCheckoutSession(sessionId)]);
  if (gift?.stripeChargeId) {
    return {
      locale: gift.locale,
      line: { date: gift.givenAt, amountMinor: gift.amountMinor, currency: gift.currency, frequency: "once", reference: gift.stripeChargeId, feeCoveredMinor: gift.feeCoveredMinor },
    };
  }
  if (!recurringGift) return gift ? { locale: gift.locale, line: null } : null;
  const [first] = await getDb()
    .select({ paidAt: payments.paidAt, amountMinor: payments.amountMinor, currency: payments.currency, reference: payments.stripeChargeId })
    .from(payments)
    .where(eq(payments.recurringGiftId, recurringGift.id))
    .orderBy(payments.paidAt)
    .limit(1);
  if (!first) return { locale: recurringGift.locale, line: null };

  return {
    locale: recurringGift.locale,
    recurringGiftId: recurringGift.id,
    line: {
      date: first.paidAt,
      amountMinor: first.amountMinor,
      currency: first.currency,
      frequency: recurringGift.frequency === "annual" ? "annual" : "monthly",
      reference: first.reference,
      feeCoveredMinor: recurringGift.feeCoveredMinor,
    },
  };
}
