import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { env } from "@/lib/env";
import { first, type SearchParams } from "@/lib/gifts/picker-state";
import { fill, messagesFor } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";
import { withLang } from "@/lib/i18n/with-lang";
import { GivingBlock } from "@/lib/widget/giving-block";
import { readReminderOnce } from "@/lib/widget/picker-model";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: messagesFor(await requestLocale()).site.giveTitle };
}

export default async function DonatePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const locale = await requestLocale();
  // A reminder's link reopens the box in the reminder's language: the URL says so, for the layout too.
  const reminderToken = first(params.reminder);
  const reminder = reminderToken && !first(params.lang) ? await readReminderOnce(reminderToken) : null;
  if (reminder && reminder.locale !== locale) redirect(withLang("/donate", params, reminder.locale));

  return (
    <>
      <h1 className="visually-hidden">{fill(messagesFor(locale).picker.pageTitle, { newsroom: env().newsroomName })}</h1>
      {/* A gift from here comes back here: the thank-you page links to the page a gift came from. */}
      <GivingBlock searchParams={params} defaults={{ campaign: "donate-page", articleUrl: `${env().appUrl}/donate` }} locale={locale} />
    </>
  );
}
