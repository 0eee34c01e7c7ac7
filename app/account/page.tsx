import type { Metadata } from "next";
import { requireSupporter } from "@/lib/auth/require-supporter";
import { fill, messagesFor } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";
import { AccountDataSections } from "./_components/giving-sections";
import { RecurringGifts } from "./_components/recurring-gifts";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: messagesFor(await requestLocale()).account.title };
}

/**
 * /account: the signed-in supporter's page. Its sections are server components that each take
 * AccountSectionProps ({ actor, locale }, lib/auth/require-supporter.ts) and render their own
 * <section> with a heading (h2). Each is added with one import above and one element below.
 */
export default async function AccountPage() {
  const locale = await requestLocale();
  const actor = await requireSupporter({ returnTo: "/account", locale });
  const m = messagesFor(locale).account;

  return (
    <section className="thanks" aria-labelledby="account-heading">
      <h1 id="account-heading">{m.heading}</h1>
      <p data-testid="account-email">{fill(m.signedInAs, { email: actor.email })}</p>

      <RecurringGifts actor={actor} locale={locale} />
      <AccountDataSections actor={actor} locale={locale} />

      <section className="account-section" aria-labelledby="sign-out-heading">
        <h2 id="sign-out-heading">{m.signOutHeading}</h2>
        <div className="sign-out-forms">
          <form method="post" action="/api/auth/sign-out">
            <input type="hidden" name="scope" value="here" />
            <input type="hidden" name="lang" value={locale} />
            <button type="submit" className="auth-button secondary">
              {m.signOut}
            </button>
          </form>
          <form method="post" action="/api/auth/sign-out">
            <input type="hidden" name="scope" value="everywhere" />
            <input type="hidden" name="lang" value={locale} />
            <button type="submit" className="auth-button secondary" aria-describedby="sign-out-everywhere-hint">
              {m.signOutEverywhere}
            </button>
            <p className="hint" id="sign-out-everywhere-hint">
              {m.signOutEverywhereHint}
            </p>
          </form>
        </div>
      </section>
    </section>
  );
}
