import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findGiftByCheckoutSession } from "@/db/queries/gifts";
import { findRecurringGiftByCheckoutSession } from "@/db/queries/recurring-gifts";
import { env } from "@/lib/env";
import { CHECKOUT_SESSION_ID } from "@/lib/gifts/checkout-session-id";
import { describeRecurringGift, formatPaymentDate, type NextPayment, nextPaymentOf, nextPaymentOfSubscription, STRIPE_INTERVAL } from "@/lib/gifts/recurrence";
import { log } from "@/lib/log";
import { formatMoneyExact } from "@/lib/money";
import { getStripe, Stripe } from "@/lib/stripe/client";
import { readGiftMetadata } from "@/lib/stripe/metadata";
import { RefreshUntilRecorded } from "./refresh-until-recorded";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Thank you", referrer: "no-referrer" };

/**
 * /donate/thank-you?session_id=cs_…: reads only. The gift (one-time, or the recurring gift the
 * session started) appears here once Stripe's webhook has recorded it; until then the session's own
 * amount, and for a recurring gift its next payment date, are shown, read from Stripe.
 */
export default async function ThankYouPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).session_id;
  const sessionId = Array.isArray(raw) ? raw[0] : raw;
  if (!sessionId || !CHECKOUT_SESSION_ID.test(sessionId)) notFound();

  const [gift, recurringGift] = await Promise.all([findGiftByCheckoutSession(sessionId), findRecurringGiftByCheckoutSession(sessionId)]);
  if (gift) {
    return (
      <section className="thanks" aria-labelledby="thanks-heading">
        <h1 id="thanks-heading">Thank you</h1>
        <p className="status-ok" data-testid="gift-confirmed">
          Your gift of {formatMoneyExact(gift.amountMinor, gift.currency)} has been received.
        </p>
        <p>It goes straight to the reporting of {env().newsroomName}.</p>
        <p>
          <a href="/">Back to the article</a>
        </p>
      </section>
    );
  }
  if (recurringGift) {
    const { amountMinor, currency } = recurringGift;

    return (
      <section className="thanks" aria-labelledby="thanks-heading">
        <h1 id="thanks-heading">Thank you</h1>
        <p className="status-ok" data-testid="gift-confirmed">
          Your {describeRecurringGift(amountMinor, currency, recurringGift.interval, recurringGift.intervalCount)} has been set up.
        </p>
        <NextPaymentLine next={nextPaymentOf(recurringGift)} amount={formatMoneyExact(amountMinor, currency)} />
        <p>It goes straight to the reporting of {env().newsroomName}.</p>
        <p>
          <a href="/">Back to the article</a>
        </p>
      </section>
    );
  }

  let session: Stripe.Checkout.Session;
  try {
    // The subscription is expanded for its period (a payment-mode session has none: null stays null).
    session = await getStripe().checkout.sessions.retrieve(sessionId, { expand: ["subscription"] });
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) notFound();
    log.error("thank-you page could not read the session", { error });
    throw error;
  }
  const amount = session.amount_total !== null && session.currency ? formatMoneyExact(session.amount_total, session.currency) : null;

  if (session.status === "complete" && session.payment_status === "paid") {
    const pending =
      session.mode === "subscription"
        ? pendingRecurringGift(session)
        : { what: `Your gift${amount ? ` of ${amount}` : ""}`, next: null, nextAmount: null };

    return (
      <section className="thanks" aria-labelledby="thanks-heading">
        <h1 id="thanks-heading">Thank you</h1>
        <p role="status" data-testid="gift-pending">
          {pending.what} went through. We are recording it now.
        </p>
        {pending.nextAmount && <NextPaymentLine next={pending.next} amount={pending.nextAmount} />}
        <RefreshUntilRecorded sessionId={sessionId} />
      </section>
    );
  }

  return (
    <section className="thanks" aria-labelledby="thanks-heading">
      <h1 id="thanks-heading">Your gift is not complete</h1>
      <p data-testid="gift-incomplete">
        {session.status === "expired"
          ? "This payment page expired before the payment was made. Nothing was charged."
          : "The payment has not gone through yet. Nothing was charged."}
      </p>
      <p>
        <a href="/donate">Start again</a>
      </p>
    </section>
  );
}

/** A paid subscription session, described from Stripe's own objects until the webhook lands. */
function pendingRecurringGift(session: Stripe.Checkout.Session): { what: string; next: NextPayment | null; nextAmount: string | null } {
  const subscription = typeof session.subscription === "object" ? session.subscription : null;
  const price = subscription?.items.data[0]?.price;
  const frequency = readGiftMetadata(session.metadata).frequency;
  const recurring =
    price?.recurring ?? (frequency && frequency !== "once" ? { interval: STRIPE_INTERVAL[frequency], interval_count: 1 } : null);
  const amountMinor = price?.unit_amount ?? session.amount_total;
  const currency = price?.currency ?? session.currency;
  if (!recurring || amountMinor === null || !currency) return { what: "Your recurring gift", next: null, nextAmount: null };

  return {
    what: `Your ${describeRecurringGift(amountMinor, currency, recurring.interval, recurring.interval_count)}`,
    next: subscription ? nextPaymentOfSubscription(subscription) : null,
    nextAmount: formatMoneyExact(amountMinor, currency),
  };
}

function NextPaymentLine({ next, amount }: { next: NextPayment | null; amount: string }) {
  if (!next) return null;
  const date = <time dateTime={next.on.toISOString()}>{formatPaymentDate(next.on)}</time>;

  return next.kind === "next-payment" ? (
    <p data-testid="next-payment">
      The next payment of {amount} will be on {date}.
    </p>
  ) : (
    <p data-testid="next-payment">It is set to end on {date}; nothing more will be taken.</p>
  );
}
