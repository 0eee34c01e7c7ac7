import type { Metadata } from "next";
import Link from "next/link";
import { localeFrom, messagesFor } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const localeOf = async (params: Record<string, string | string[] | undefined>) => {
  const lang = Array.isArray(params.lang) ? params.lang[0] : params.lang;

  return localeFrom(lang) ?? (await requestLocale());
};

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  return { title: messagesFor(await localeOf(await searchParams)).accountData.erased.title };
}

/** /account/erased: what the erasure did and what it kept. Reads nothing: the person is gone. */
export default async function ErasedPage({ searchParams }: Props) {
  const locale = await localeOf(await searchParams);
  const m = messagesFor(locale).accountData.erased;

  return (
    <section aria-labelledby="erased-heading" lang={locale}>
      <h1 id="erased-heading">{m.title}</h1>
      <p role="status">{m.body}</p>
      <p>{m.kept}</p>
      <p>{m.again}</p>
      <p>
        <Link href={`/?lang=${locale}`}>{m.home}</Link>
      </p>
    </section>
  );
}
