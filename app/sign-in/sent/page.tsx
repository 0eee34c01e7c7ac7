import type { Metadata } from "next";
import { LINK_MAX_AGE_SECONDS } from "@/lib/auth/config";
import { signInPath } from "@/lib/auth/paths";
import { env } from "@/lib/env";
import { fill, messagesFor } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: messagesFor(await requestLocale()).signIn.sentTitle };
}

/**
 * /sign-in/sent: after asking for a link. It names no address and says the same whoever asked, so it
 * tells no one whether an address gives to us.
 */
export default async function SignInSentPage() {
  const locale = await requestLocale();
  const m = messagesFor(locale).signIn;

  return (
    <section className="thanks" aria-labelledby="sent-heading">
      <h1 id="sent-heading">{m.sentHeading}</h1>
      <p className="status-ok" role="status" data-testid="sign-in-sent">
        {fill(m.sent, { newsroom: env().newsroomName })}
      </p>
      <p>{fill(m.sentHow, { minutes: String(LINK_MAX_AGE_SECONDS / 60) })}</p>
      <p>{m.sentMissing}</p>
      <p>
        <a href={signInPath({ locale })}>{m.askAgain}</a>
      </p>
    </section>
  );
}
