import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { gifts, payments, supporters } from "@/db/schema";

/**
 * The recorded gift for a Checkout Session, with its payment and where its receipt goes (the
 * supporter's address, unless they give discreetly); null until the webhook has landed.
 */
export async function findGiftByCheckoutSession(stripeCheckoutSessionId: string) {
  const [row] = await getDb()
    .select({
      id: gifts.id,
      amountMinor: gifts.amountMinor,
      currency: gifts.currency,
      frequency: gifts.frequency,
      givenAt: gifts.givenAt,
      locale: gifts.locale,
      discreet: gifts.discreet,
      feeCoveredMinor: gifts.feeCoveredMinor,
      articleUrl: gifts.articleUrl,
      paymentId: payments.id,
      stripeChargeId: payments.stripeChargeId,
      supporterEmail: supporters.email,
      supporterDiscreet: supporters.discreet,
    })
    .from(gifts)
    .leftJoin(payments, eq(payments.giftId, gifts.id))
    .leftJoin(supporters, eq(supporters.id, gifts.supporterId))
    .where(eq(gifts.stripeCheckoutSessionId, stripeCheckoutSessionId))
    .limit(1);

  return row ?? null;
}
