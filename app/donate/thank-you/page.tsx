import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findGiftByCheckoutSession } from "@/db/queries/gifts";
import { findRecurringGiftByCheckoutSession } from "@/db/queries/recurring-gifts";
import { env } from "@/lib/env";
import { isDatabaseUnavailable, logDatabaseUnavailable } from "@/lib/errors";
import { CHECKOUT_SESSION_ID } from "@/lib/gifts/checkout-session-id";
import { type NextPayment, nextPaymentOf, nextPaymentOfSubscription, STRIPE_INTERVAL } from "@/lib/gifts/recurrence";
import { fill, type Locale, localeFrom, type Messages, messagesFor } from "@/lib/i18n";
import { describeRecurring, formatDate } from "@/lib/i18n/format";
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
 * amount, and for a recurring gift its next payment date, are shown, read from Stripe. In the
 * language the reader gave in. A discreet giver, to whom we never write, is offered a receipt to save.
 * While our database cannot be reached, the page shows what Stripe says and keeps asking.
 */
export default async function ThankYouPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).session_id;
  const sessionId = Array.isArray(raw) ? raw[0] : raw;
  if (!sessionId || !CHECKOUT_SESSION_ID.test(sessionId)) notFound();
  const newsroom = env().newsroomName;

  const { gift, recurringGift, databaseUnavailable } = await recorded(sessionId);
  if (gift) {
    const locale = localeFrom(gift.locale) ?? "en";
    const m = messagesFor(locale);

    return (
      <section className="thanks" aria-labelledby="thanks-heading" lang={locale}>
        <h1 id="thanks-heading">{m.thanks.title}</h1>
        <p className="status-ok" data-testid="gift-confirmed">
          {fill(m.thanks.received, { amount: formatMoneyExact(gift.amountMinor, gift.currency, locale) })}
        </p>
        <p>{fill(m.thanks.goesTo, { newsroom })}</p>
        {gift.discreet && <DiscreetReceipt m={m} sessionId={sessionId} />}
        <BackLink m={m} href={gift.articleUrl} />
      </section>
    );
  }
  if (recurringGift) {
    const { amountMinor, currency } = recurringGift;
    const locale = localeFrom(recurringGift.locale) ?? "en";
    const m = messagesFor(locale);
    const what = describeRecurring(m, amountMinor, currency, recurringGift.interval, recurringGift.intervalCount, locale);

    return (
      <section className="thanks" aria-labelledby="thanks-heading" lang={locale}>
        <h1 id="thanks-heading">{m.thanks.title}</h1>
        <p className="status-ok" data-testid="gift-confirmed">
          {fill(m.thanks.recurringSetUp, { gift: what })}
        </p>
        <NextPaymentLine m={m} locale={locale} next={nextPaymentOf(recurringGift)} amount={formatMoneyExact(amountMinor, currency, locale)} />
        <p>{fill(m.thanks.goesTo, { newsroom })}</p>
        {recurringGift.discreet && <DiscreetReceipt m={m} sessionId={sessionId} />}
        <BackLink m={m} href={recurringGift.articleUrl} />
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
  const { attribution } = readGiftMetadata(session.metadata);
  const locale = localeFrom(attribution.locale) ?? "en";
  const m = messagesFor(locale);
  const amount = session.amount_total !== null && session.currency ? formatMoneyExact(session.amount_total, session.currency, locale) : null;

  if (session.status === "complete" && session.payment_status === "paid") {
    const pending =
      session.mode === "subscription"
        ? pendingRecurringGift(session, m, locale)
        : { what: amount ? fill(m.thanks.giftWhatAmount, { amount }) : m.thanks.giftWhat, next: null, nextAmount: null };

    return (
      <section className="thanks" aria-labelledby="thanks-heading" lang={locale}>
        <h1 id="thanks-heading">{m.thanks.title}</h1>
        <p role="status" data-testid="gift-pending">
          {fill(m.thanks.pending, { what: pending.what })}
        </p>
        {pending.nextAmount && <NextPaymentLine m={m} locale={locale} next={pending.next} amount={pending.nextAmount} />}
        <RefreshUntilRecorded sessionId={sessionId} slowText={m.thanks.slow} catchingUpText={m.thanks.catchingUp} databaseUnavailable={databaseUnavailable} />
      </section>
    );
  }

  return (
    <section className="thanks" aria-labelledby="thanks-heading" lang={locale}>
      <h1 id="thanks-heading">{m.thanks.incompleteTitle}</h1>
      <p data-testid="gift-incomplete">{session.status === "expired" ? m.thanks.expired : m.thanks.notYet}</p>
      <p>
        <a href={`/donate${locale === "en" ? "" : `?lang=${locale}`}`}>{m.thanks.startAgain}</a>
      </p>
    </section>
  );
}

/** What the ledger has for the session; nothing, said so, while the database cannot be reached. */
async function recorded(sessionId: string) {
  try {
    const [gift, recurringGift] = await Promise.all([findGiftByCheckoutSession(sessionId), findRecurringGiftByCheckoutSession(sessionId)]);

    return { gift, recurringGift, databaseUnavailable: false };
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    logDatabaseUnavailable("thank-you page", error);

    return { gift: null, recurringGift: null, databaseUnavailable: true };
  }
}

/** A paid subscription session, described from Stripe's own objects until the webhook lands. */
function pendingRecurringGift(session: Stripe.Checkout.Session, m: Messages, locale: Locale): { what: string; next: NextPayment | null; nextAmount: string | null } {
  const subscription = typeof session.subscription === "object" ? session.subscription : null;
  const price = subscription?.items.data[0]?.price;
  const frequency = readGiftMetadata(session.metadata).frequency;
  const recurring =
    price?.recurring ?? (frequency && frequency !== "once" ? { interval: STRIPE_INTERVAL[frequency], interval_count: 1 } : null);
  const amountMinor = price?.unit_amount ?? session.amount_total;
  const currency = price?.currency ?? session.currency;
  if (!recurring || amountMinor === null || !currency) return { what: m.thanks.recurringWhat, next: null, nextAmount: null };
  const described = describeRecurring(m, amountMinor, currency, recurring.interval, recurring.interval_count, locale);

  return {
    what: locale === "en" ? `Your ${described}` : `${m.thanks.recurringWhat}: ${described}`,
    next: subscription ? nextPaymentOfSubscription(subscription) : null,
    nextAmount: formatMoneyExact(amountMinor, currency, locale),
  };
}

function NextPaymentLine({ m, locale, next, amount }: { m: Messages; locale: Locale; next: NextPayment | null; amount: string }) {
  if (!next) return null;
  const [before, after] = (next.kind === "next-payment" ? fill(m.thanks.nextPayment, { amount }) : m.thanks.ends).split("{date}");

  return (
    <p data-testid="next-payment">
      {before}
      <time dateTime={next.on.toISOString()}>{formatDate(next.on, locale)}</time>
      {after}
    </p>
  );
}

function DiscreetReceipt({ m, sessionId }: { m: Messages; sessionId: string }) {
  return (
    <div className="notice" data-testid="discreet-receipt">
      <p>{m.thanks.discreetNote}</p>
      <p>
        <a href={`/donate/receipt?session_id=${encodeURIComponent(sessionId)}`} download>
          {m.thanks.saveReceipt}
        </a>
      </p>
    </div>
  );
}

/**
 * Back to the article the gift came from, if it is on one of the newsroom's sites: the address
 * arrives with the gift from the page (or a link), so anywhere else could be a phishing page
 * dressed in our thanks.
 */
function BackLink({ m, href }: { m: Messages; href: string | null }) {
  const { appUrl, newsroomOrigins } = env();
  let target = "/";
  try {
    if (href && [new URL(appUrl).origin, ...newsroomOrigins].includes(new URL(href).origin)) target = href;
  } catch {
    // Not a URL: back to our home page.
  }

  return (
    <p>
      <a href={target}>{m.thanks.back}</a>
    </p>
  );
}
