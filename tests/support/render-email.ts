import { type EmailProps, type EmailTemplate, renderEmail } from "@/emails";
import { en, type Messages } from "@/emails/messages/en";
import { ru } from "@/emails/messages/ru";

/** For the email templates' unit tests: each email rendered as the outbox renders it, for one newsroom. */
export const NEWSROOM = "The Exile Times";
export const LOCALES = ["en", "ru"] as const;
export const DICTIONARIES: Record<(typeof LOCALES)[number], Messages> = { en, ru };

const context = (locale: string) => ({ locale, newsroomName: NEWSROOM, appUrl: "https://give.example" });
export const render = <T extends EmailTemplate>(template: T, props: EmailProps<T>, locale = "en") => renderEmail(template, props, context(locale));

/** The language an email's HTML declares. */
export const langOf = (html: string) => /<html[^>]*\slang="([^"]+)"/.exec(html)?.[1];
