import type { Metadata } from "next";
import { LINK_MAX_AGE_SECONDS } from "@/lib/auth/config";
import { fill, localeFrom, messagesFor } from "@/lib/i18n";
import { requestLocale, requestLocaleIfRendering } from "@/lib/i18n/request";
import { formTextOf, param } from "../form-text";
import { SignInForm } from "../sign-in-form";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: messagesFor(await requestLocale()).signIn.problemTitle };
}

/**
 * /sign-in/problem: a sign-in link that cannot be used (expired, used, altered: the page does not
 * say which, as Auth.js does not tell a used link from one that never was), with the form to ask for
 * a new one right here.
 */
export default async function SignInProblemPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // As proxy.ts decides it; the tests render the page outside a request.
  const locale = localeFrom(param(await searchParams, "lang")) ?? (await requestLocaleIfRendering()) ?? "en";
  const m = messagesFor(locale);

  return (
    <section className="thanks" aria-labelledby="problem-heading">
      <h1 id="problem-heading">{m.signIn.problemHeading}</h1>
      <p data-testid="sign-in-problem">{fill(m.signIn.problem, { minutes: String(LINK_MAX_AGE_SECONDS / 60) })}</p>
      <p>{m.signIn.problemAgain}</p>
      <SignInForm text={formTextOf(m)} locale={locale} returnTo="/account" initialError={null} />
    </section>
  );
}
