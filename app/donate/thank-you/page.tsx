import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findGiftByCheckoutSession } from "@/db/queries/gifts";
import { env } from "@/lib/env";
import { CHECKOUT_SESSION_ID } from "@/lib/gifts/checkout-session-id";
import { log } from "@/lib/log";
import { formatMoneyExact } from "@/lib/money";
import { getStripe, Stripe } from "@/lib/stripe/client";
import { RefreshUntilRecorded } from "./refresh-until-recorded";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Thank you", referrer: "no-referrer" };


/**
 * /donate/thank-you?session_id=cs_…: reads only. The gift appears here once Stripe's webhook has
 * recorded it; until then the session's own amount is shown, read from Stripe.
 */
export default async function ThankYouPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).session_id;
  const sessionId = Array.isArray(raw) ? raw[0] : raw;
  if (!sessionId || !CHECKOUT_SESSION_ID.test(sessionId)) notFound();

  const gift = await findGiftByCheckoutSession(sessionId);
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

  let session: Stripe.Checkout.Session;
  try {
    session = await getStripe().checkout.sessions.retrieve(sessionId);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) notFound();
    log.error("thank-you page could not read the session", { error });
    throw error;
  }
  const amount = session.amount_total !== null && session.currency ? formatMoneyExact(session.amount_total, session.currency) : null;

  if (session.status === "complete" && session.payment_status === "paid") {
    return (
      <section className="thanks" aria-labelledby="thanks-heading">
        <h1 id="thanks-heading">Thank you</h1>
        <p role="status" data-testid="gift-pending">
          Your gift{amount ? ` of ${amount}` : ""} went through. We are recording it now.
        </p>
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
