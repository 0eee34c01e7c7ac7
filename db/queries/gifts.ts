import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { gifts, payments } from "@/db/schema";

/** The recorded gift for a Checkout Session, with its payment; null until the webhook has landed. */
export async function findGiftByCheckoutSession(stripeCheckoutSessionId: string) {
  const [row] = await getDb()
    .select({
      id: gifts.id,
      amountMinor: gifts.amountMinor,
      currency: gifts.currency,
      frequency: gifts.frequency,
      givenAt: gifts.givenAt,
      paymentId: payments.id,
    })
    .from(gifts)
    .leftJoin(payments, eq(payments.giftId, gifts.id))
    .where(eq(gifts.stripeCheckoutSessionId, stripeCheckoutSessionId))
    .limit(1);

  return row ?? null;
}
