import type { Metadata } from "next";
import { messagesFor } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";

export async function generateMetadata(): Promise<Metadata> {
  return { title: messagesFor(await requestLocale()).site.notFoundTitle };
}

/** A page that is not there, in the language of the page that was asked for (a Russian reader's thank-you link cut short). */
export default async function NotFound() {
  const locale = await requestLocale();
  const { site } = messagesFor(locale);

  return (
    <section className="thanks" aria-labelledby="not-found-heading">
      <h1 id="not-found-heading">{site.notFoundTitle}</h1>
      <p>{site.notFound}</p>
      <p>
        <a href={locale === "en" ? "/" : `/?lang=${locale}`}>{site.home}</a>
      </p>
    </section>
  );
}
