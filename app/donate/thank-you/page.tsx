import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { findGiftByCheckoutSession } from "@/db/queries/gifts";
import { findRecurringGiftByCheckoutSession } from "@/db/queries/recurring-gifts";
import { getDb } from "@/db";
import { manageLinkFor } from "@/lib/supporters/manage-links";
import { env } from "@/lib/env";
import { isDatabaseUnavailable, logDatabaseUnavailable } from "@/lib/errors";
import { CHECKOUT_SESSION_ID } from "@/lib/gifts/checkout-session-id";
import { type NextPayment, nextPaymentOf, nextPaymentOfSubscription, STRIPE_INTERVAL } from "@/lib/gifts/recurrence";
import { first } from "@/lib/gifts/picker-state";
import { fill, type Locale, localeFrom, type Messages, messagesFor } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";
import { withLang } from "@/lib/i18n/with-lang";
import { describeRecurring, formatDate } from "@/lib/i18n/format";
import { log } from "@/lib/log";
import { formatMoneyExact } from "@/lib/money";
import { getStripe, Stripe } from "@/lib/stripe/client";
import { readGiftMetadata } from "@/lib/stripe/metadata";
import { RefreshUntilRecorded } from "./refresh-until-recorded";

export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const sessionIdOf = (params: Record<string, string | string[] | undefined>) => {
  const raw = params.session_id;
  const sessionId = Array.isArray(raw) ? raw[0] : raw;

  return sessionId && CHECKOUT_SESSION_ID.test(sessionId) ? sessionId : null;
};

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const sessionId = sessionIdOf(await searchParams);
  const view = sessionId ? await thankYouOf(sessionId) : null;
  const { thanks } = messagesFor(await requestLocale());

  return { title: view?.kind === "incomplete" ? thanks.incompleteTitle : thanks.title, referrer: "no-referrer" };
}

/**
 * /donate/thank-you?session_id=cs_…: reads only. The gift (one-time, or the recurring gift the
 * session started) appears here once Stripe's webhook has recorded it; until then the session's own
 * amount, and for a recurring gift its next payment date, are shown, read from Stripe. It says where
 * the receipt went, or that a discreet giver gets none (and offers one to save), and how a recurring
 * gift is managed. In the language the reader gave in, unless the URL asks for another; the page's
 * frame follows (the URL carries the language: proxy.ts). While our database cannot be reached, the
 * page shows what Stripe says and keeps asking.
 */
export default async function ThankYouPage({ searchParams }: Props) {
  const params = await searchParams;
  const sessionId = sessionIdOf(params);
  if (!sessionId) notFound();
  const view = await thankYouOf(sessionId);
  const locale = localeFrom(first(params.lang)) ?? view.locale;
  if (locale !== (await requestLocale())) redirect(withLang("/donate/thank-you", params, locale));
  const m = messagesFor(locale);
  const newsroom = env().newsroomName;

  if (view.kind === "gift") {
    const { gift } = view;

    return (
      <section className="thanks" aria-labelledby="thanks-heading">
        <h1 id="thanks-heading">{m.thanks.title}</h1>
        <p className="status-ok" data-testid="gift-confirmed">
          {fill(m.thanks.received, { amount: formatMoneyExact(gift.amountMinor, gift.currency, locale) })}
        </p>
        <p>{fill(m.thanks.goesTo, { newsroom })}</p>
        <ReceiptLine m={m} sessionId={sessionId} to={receiptAddress(gift)} discreet={gift.discreet} />
        <BackLink m={m} locale={locale} href={gift.articleUrl} />
      </section>
    );
  }
  if (view.kind === "recurring") {
    const { recurringGift } = view;
    const { amountMinor, currency } = recurringGift;
    const what = describeRecurring(m, amountMinor, currency, recurringGift.interval, recurringGift.intervalCount, locale);
    // A link made now, for 30 days; the language is the page's.
    const manageUrl = await manageLinkFor(getDb(), recurringGift.id, new Date(), locale);
    const receiptTo = receiptAddress(recurringGift);

    return (
      <section className="thanks" aria-labelledby="thanks-heading">
        <h1 id="thanks-heading">{m.thanks.title}</h1>
        <p className="status-ok" data-testid="gift-confirmed">
          {fill(m.thanks.recurringSetUp, { gift: what })}
        </p>
        <NextPaymentLine m={m} locale={locale} next={nextPaymentOf(recurringGift)} amount={formatMoneyExact(amountMinor, currency, locale)} />
        <ManageRecurringGift m={m} url={manageUrl} onlyWay={receiptTo === null} />
        <p>{fill(m.thanks.goesTo, { newsroom })}</p>
        <ReceiptLine m={m} sessionId={sessionId} to={receiptTo} discreet={recurringGift.discreet} />
        <BackLink m={m} locale={locale} href={recurringGift.articleUrl} />
      </section>
    );
  }

  const { session } = view;
  const amount = session.amount_total !== null && session.currency ? formatMoneyExact(session.amount_total, session.currency, locale) : null;
  if (view.kind === "pending") {
    const pending =
      session.mode === "subscription"
        ? pendingRecurringGift(session, m, locale)
        : { what: amount ? fill(m.thanks.giftWhatAmount, { amount }) : m.thanks.giftWhat, next: null, nextAmount: null };
    const silent = readGiftMetadata(session.metadata).options.discreet === "silent";
    const email = silent ? null : (session.customer_details?.email ?? null);

    return (
      <section className="thanks" aria-labelledby="thanks-heading">
        <h1 id="thanks-heading">{m.thanks.title}</h1>
        <p role="status" data-testid="gift-pending">
          {fill(m.thanks.pending, { what: pending.what })}
        </p>
        {pending.nextAmount && <NextPaymentLine m={m} locale={locale} next={pending.next} amount={pending.nextAmount} />}
        {session.mode === "subscription" && <ManageRecurringGift m={m} />}
        {email && <p data-testid="receipt-to">{fill(m.thanks.receiptComing, { email })}</p>}
        <RefreshUntilRecorded sessionId={sessionId} slowText={m.thanks.slow} catchingUpText={m.thanks.catchingUp} databaseUnavailable={view.databaseUnavailable} />
      </section>
    );
  }

  return (
    <section className="thanks" aria-labelledby="thanks-heading">
      <h1 id="thanks-heading">{m.thanks.incompleteTitle}</h1>
      <p data-testid="gift-incomplete">{session.status === "expired" ? m.thanks.expired : m.thanks.notYet}</p>
      <p>
        <a href={`/donate${locale === "en" ? "" : `?lang=${locale}`}`}>{m.thanks.startAgain}</a>
      </p>
    </section>
  );
}

/**
 * What the page shows for a session, read once per request (the page and its title both need it):
 * the recorded gift, else what Stripe says, with the language the reader gave in.
 */
const thankYouOf = cache(async (sessionId: string) => {
  const { gift, recurringGift, databaseUnavailable } = await recorded(sessionId);
  if (gift) return { kind: "gift", gift, locale: localeFrom(gift.locale) ?? "en" } as const;
  if (recurringGift) return { kind: "recurring", recurringGift, locale: localeFrom(recurringGift.locale) ?? "en" } as const;
  let session: Stripe.Checkout.Session;
  try {
    // The subscription is expanded for its period (a payment-mode session has none: null stays null).
    session = await getStripe().checkout.sessions.retrieve(sessionId, { expand: ["subscription"] });
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) notFound();
    log.error("thank-you page could not read the session", { error });
    throw error;
  }
  const locale = localeFrom(readGiftMetadata(session.metadata).attribution.locale) ?? "en";
  const paid = session.status === "complete" && session.payment_status === "paid";

  return { kind: paid ? "pending" : "incomplete", session, locale, databaseUnavailable } as const;
});

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

/** Where the receipt went: the supporter's address, or, for a discreet gift, that none was sent and one to save. */
function ReceiptLine({ m, sessionId, to, discreet }: { m: Messages; sessionId: string; to: string | null; discreet: boolean }) {
  if (to) return <p data-testid="receipt-to">{fill(m.thanks.receiptSent, { email: to })}</p>;
  if (!discreet) return null;

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

/** A discreet supporter, and a discreet giver who asked for none, get no email (lib/email/outbox.ts). */
const receiptAddress = (row: { supporterEmail: string | null; supporterDiscreet: boolean | null }) =>
  row.supporterEmail && !row.supporterDiscreet ? row.supporterEmail : null;

/**
 * How a recurring gift is changed or cancelled: its "manage this gift" link (no account needed). A
 * giver we have no address for (discreet, no receipts) gets it as a private link to save, told
 * plainly that it is the only way back to the gift; the others find it again in every receipt.
 * Before the gift is recorded there is no link yet: the sentence alone, until the page refreshes.
 */
function ManageRecurringGift({ m, url = null, onlyWay = false }: { m: Messages; url?: string | null; onlyWay?: boolean }) {
  if (!url) return <p data-testid="manage-recurring">{m.thanks.manage}</p>;
  if (onlyWay) {
    return (
      <div className="notice" data-testid="private-manage-link" role="region" aria-labelledby="private-link-heading">
        <h2 id="private-link-heading">{m.manage.privateLinkTitle}</h2>
        <p>{m.manage.privateLink}</p>
        <p>
          <a href={url}>{m.manage.privateLinkLabel}</a>
        </p>
        <p className="private-link">
          <code>{url}</code>
        </p>
      </div>
    );
  }

  return (
    <p data-testid="manage-recurring">
      {m.thanks.manage}{" "}
      <a href={url} data-testid="manage-link">
        {m.manage.privateLinkLabel}
      </a>
    </p>
  );
}

/**
 * Back to the page the gift came from, if it is on one of the newsroom's sites or ours: the address
 * arrives with the gift from the page (or a link), so anywhere else could be a phishing page
 * dressed in our thanks. A gift from /donate goes back there; our own pages keep the language.
 */
function BackLink({ m, locale, href }: { m: Messages; locale: Locale; href: string | null }) {
  const { appUrl, newsroomOrigins } = env();
  const ours = new URL(appUrl).origin;
  let target = new URL("/", appUrl);
  try {
    if (href && [ours, ...newsroomOrigins].includes(new URL(href).origin)) target = new URL(href);
  } catch {
    // Not a URL: back to our home page.
  }
  const own = target.origin === ours;
  if (own && locale !== "en") target.searchParams.set("lang", locale);

  return (
    <p>
      <a href={own ? target.pathname + target.search : target.href}>{own && target.pathname === "/donate" ? m.thanks.backToGive : m.thanks.back}</a>
    </p>
  );
}
