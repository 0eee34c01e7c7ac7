import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { recurringGifts, supporters } from "@/db/schema";

/**
 * The recurring gift a Checkout Session started, as the ledger holds it; null until the webhook
 * has recorded it (the row carries the session id once checkout.session.completed has been seen).
 * With where its receipts go: the supporter's address, unless they give discreetly.
 */
export async function findRecurringGiftByCheckoutSession(stripeCheckoutSessionId: string) {
  const [row] = await getDb()
    .select({
      id: recurringGifts.id,
      frequency: recurringGifts.frequency,
      interval: recurringGifts.interval,
      intervalCount: recurringGifts.intervalCount,
      amountMinor: recurringGifts.amountMinor,
      currency: recurringGifts.currency,
      status: recurringGifts.status,
      currentPeriodEnd: recurringGifts.currentPeriodEnd,
      cancelAt: recurringGifts.cancelAt,
      nextPaymentAttemptAt: recurringGifts.nextPaymentAttemptAt,
      startedAt: recurringGifts.startedAt,
      locale: recurringGifts.locale,
      discreet: recurringGifts.discreet,
      feeCoveredMinor: recurringGifts.feeCoveredMinor,
      articleUrl: recurringGifts.articleUrl,
      supporterEmail: supporters.email,
      supporterDiscreet: supporters.discreet,
    })
    .from(recurringGifts)
    .leftJoin(supporters, eq(supporters.id, recurringGifts.supporterId))
    .where(eq(recurringGifts.stripeCheckoutSessionId, stripeCheckoutSessionId))
    .limit(1);

  return row ?? null;
}
