import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/current-actor";
import { isSignInError } from "@/lib/auth/paths";
import { safeReturnPath } from "@/lib/auth/return-path";
import { messagesFor } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";
import { formTextOf, param } from "./form-text";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata(): Promise<Metadata> {
  return { title: messagesFor(await requestLocale()).signIn.title };
}

/**
 * /sign-in?return=…: asks for the address a link goes to. Someone already signed in goes on to where
 * they were going. After a plain form post that failed, `?error=` names why (a code, never words
 * from the URL); after signing out, `?out=` says so.
 */
export default async function SignInPage({ searchParams }: Props) {
  const params = await searchParams;
  const returnTo = safeReturnPath(param(params, "return"));
  if ((await currentActor()).kind === "supporter") redirect(returnTo);
  const locale = await requestLocale();
  const m = messagesFor(locale);
  const error = param(params, "error");
  const out = param(params, "out");

  return (
    <section className="thanks" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">{m.signIn.heading}</h1>
      {(out === "here" || out === "everywhere") && (
        <p className="status-ok" role="status" data-testid="signed-out">
          {m.signIn.signedOut[out]}
        </p>
      )}
      <p>{m.signIn.intro}</p>
      <SignInForm text={formTextOf(m)} locale={locale} returnTo={returnTo} initialError={isSignInError(error) ? error : null} />
    </section>
  );
}
