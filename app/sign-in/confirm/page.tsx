import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { normalizeSignInEmail } from "@/lib/auth/email-address";
import { problemPath } from "@/lib/auth/paths";
import { safeReturnPath } from "@/lib/auth/return-path";
import { fill, localeFrom, messagesFor } from "@/lib/i18n";
import { requestLocale, requestLocaleIfRendering } from "@/lib/i18n/request";
import { param } from "../form-text";
import "../auth.css";

export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata(): Promise<Metadata> {
  // The address carries the link's token: no other site may see it in a Referer. "same-origin"
  // rather than "no-referrer", which would make the button's POST say `Origin: null`.
  return { title: messagesFor(await requestLocale()).signIn.confirmTitle, referrer: "same-origin" };
}

/**
 * /sign-in/confirm?token=…&email=…: where a sign-in email's link leads. Opening it uses nothing: mail
 * scanners open every link in an email, and a link they opened must still work for the person. The
 * button posts the token to /api/auth/confirm, which spends it and signs in.
 */
export default async function ConfirmSignInPage({ searchParams }: Props) {
  const params = await searchParams;
  // As proxy.ts decides it (the link carries `lang`); the tests render the page outside a request.
  const locale = localeFrom(param(params, "lang")) ?? (await requestLocaleIfRendering()) ?? "en";
  const token = param(params, "token") ?? "";
  const email = normalizeSignInEmail(param(params, "email"));
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token) || email === null) redirect(problemPath(locale));
  const returnTo = safeReturnPath(param(params, "return"));
  const m = messagesFor(locale).signIn;

  return (
    <section className="thanks" aria-labelledby="confirm-heading">
      <h1 id="confirm-heading">{m.confirmHeading}</h1>
      <p>{fill(m.confirmAs, { email })}</p>
      <form className="auth-form" method="post" action="/api/auth/confirm">
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="email" value={email} />
        <input type="hidden" name="return" value={returnTo} />
        <input type="hidden" name="lang" value={locale} />
        <button type="submit" className="auth-button">
          {m.confirmButton}
        </button>
      </form>
      <p className="hint">{m.confirmWhy}</p>
    </section>
  );
}
