import type { Metadata } from "next";
import { headers } from "next/headers";
import { env } from "@/lib/env";
import { first, type SearchParams } from "@/lib/gifts/picker-state";
import { fill, localeFrom, localeFromAcceptLanguage, messagesFor } from "@/lib/i18n";
import { GivingBlock } from "@/lib/widget/giving-block";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Give" };

export default async function DonatePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  // The picker picks its language the same way (lib/widget/picker-model.ts); a reminder link's is in the reminder.
  const locale = localeFrom(first(params.lang)) ?? localeFromAcceptLanguage((await headers()).get("accept-language")) ?? "en";

  return (
    <>
      <h1 className="visually-hidden" lang={locale}>
        {fill(messagesFor(locale).picker.pageTitle, { newsroom: env().newsroomName })}
      </h1>
      <GivingBlock searchParams={params} defaults={{ campaign: "donate-page" }} />
    </>
  );
}
