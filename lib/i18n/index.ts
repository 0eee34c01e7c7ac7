import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from "./locales";
import { en, type Messages } from "./en";
import { ru } from "./ru";

export type { Messages };
export { fill } from "./fill";
export { localeFrom, localeFromAcceptLanguage, negotiateLocale } from "./negotiate";
export { DEFAULT_LOCALE, isLocale, LOCALES, type Locale };

const MESSAGES: Record<Locale, Messages> = { en, ru };

export function messagesFor(locale: Locale): Messages {
  return MESSAGES[locale];
}
