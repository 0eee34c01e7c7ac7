import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from "./locales";
import { en, type Messages } from "./en";
import { ru } from "./ru";

export type { Messages };
export { fill } from "./fill";
export { DEFAULT_LOCALE, isLocale, LOCALES, type Locale };

const MESSAGES: Record<Locale, Messages> = { en, ru };

export function messagesFor(locale: Locale): Messages {
  return MESSAGES[locale];
}

/** "ru-RU", "RU", "ru" → "ru"; anything we do not speak → null. */
export function localeFrom(value: string | null | undefined): Locale | null {
  const primary = value?.trim().toLowerCase().split(/[-_]/)[0];

  return isLocale(primary) ? primary : null;
}

/** The first language of an Accept-Language header that we speak. */
export function localeFromAcceptLanguage(header: string | null): Locale | null {
  for (const part of (header ?? "").split(",")) {
    const found = localeFrom(part.split(";")[0]);
    if (found) return found;
  }

  return null;
}

