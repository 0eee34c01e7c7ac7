import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { RecurringGiftManager } from "@/app/account/_components/recurring-gift-manager";
import { getDb } from "@/db";
import { fill, type Locale, localeFrom, messagesFor } from "@/lib/i18n";
import { formatDate } from "@/lib/i18n/format";
import { requestLocaleIfRendering } from "@/lib/i18n/request";
import { manageLinkFor, verifyManageToken } from "@/lib/supporters/manage-links";
import { recurringGiftFor } from "@/lib/supporters/recurring-gifts";

export const dynamic = "force-dynamic";

type Params = Record<string, string | string[] | undefined>;
type Props = { searchParams: Promise<Params> };

const firstOf = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? "";

/** What the page shows for a token, read once per request (the title needs it too). */
const manageViewOf = cache(async (token: string) => {
  const now = new Date();
  if (!token) return { kind: "invalid", reason: "missing" } as const;
  const check = await verifyManageToken(token, getDb(), now);
  if (!check.ok) return { kind: "invalid", reason: check.reason } as const;
  const gift = await recurringGiftFor(check.actor, check.actor.recurringGiftId, getDb(), now);
  if (!gift) return { kind: "invalid", reason: "revoked" } as const;

  // A fresh link, for 30 days from now: a discreet giver with no email on file keeps the gift within
  // reach by saving it (no email will bring them a new one).
  const fresh = await manageLinkFor(getDb(), gift.id, now, gift.locale);

  return { kind: "gift", gift, expiresAt: check.expiresAt, fresh } as const;
});

async function pageLocale(params: Params, giftLocale: string | null): Promise<Locale> {
  return localeFrom(firstOf(params.lang)) ?? localeFrom(giftLocale ?? "") ?? (await requestLocaleIfRendering()) ?? "en";
}

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const params = await searchParams;
  const view = await manageViewOf(firstOf(params.token));
  const m = messagesFor(await pageLocale(params, view.kind === "gift" ? view.gift.locale : null));

  // The address carries the gift's link: it must not travel on in a Referer.
  return { title: view.kind === "gift" ? m.manage.title : m.manage.invalid.title, referrer: "no-referrer", robots: { index: false, follow: false } };
}

/**
 * /manage?token=…: one recurring gift's management without an account, from a "manage this gift"
 * link (receipts, the ending and payment-failed emails, the thank-you page). Opening it changes
 * nothing; every change is a form the supporter presses. In the gift's language unless the address
 * asks for another. A link that does not work says why (altered, expired, replaced) and where to
 * find a working one.
 */
export default async function ManagePage({ searchParams }: Props) {
  const params = await searchParams;
  const token = firstOf(params.token);
  const view = await manageViewOf(token);
  const locale = await pageLocale(params, view.kind === "gift" ? view.gift.locale : null);
  const m = messagesFor(locale);

  if (view.kind === "invalid") {
    return (
      <section className="thanks" lang={locale} aria-labelledby="manage-heading" data-testid={`manage-invalid-${view.reason}`}>
        <h1 id="manage-heading">{m.manage.invalid.title}</h1>
        <p>{m.manage.invalid[view.reason]}</p>
        <p>
          <a href={`/sign-in${locale === "en" ? "" : `?lang=${locale}`}`}>{m.manage.invalid.signIn}</a>
        </p>
      </section>
    );
  }
  if (!view.gift) notFound();

  return (
    <section className="thanks" lang={locale} aria-labelledby="manage-heading" data-testid="manage-page">
      <h1 id="manage-heading">{m.manage.title}</h1>
      <p>{m.manage.intro}</p>
      <RecurringGiftManager gift={view.gift} locale={locale} m={m} token={token} level={2} />
      <p className="hint" data-testid="link-expiry">
        {fill(m.manage.linkExpires, { date: formatDate(view.expiresAt, locale) })}{" "}
        {view.fresh && (
          <a href={view.fresh} data-testid="fresh-link">
            {m.manage.freshLink}
          </a>
        )}
      </p>
    </section>
  );
}
