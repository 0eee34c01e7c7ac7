import { DEFAULT_LOCALE, type Locale, localeFrom } from "@/lib/i18n";
import { en, type Messages } from "./en";
import { ru } from "./ru";

export type { Locale, Messages };

/** Every locale we write emails in (lib/i18n/locales.ts): a dictionary typed `Messages` for each. */
export const MESSAGES = { en, ru } as const satisfies Record<Locale, Messages>;

/**
 * The locale an email is written in, from the supporter's: "ru", "ru-RU" and "RU" are Russian;
 * anything we have no dictionary for (or an empty or malformed tag) falls back to English.
 */
export function resolveLocale(locale: string | null | undefined): Locale {
  return localeFrom(locale) ?? DEFAULT_LOCALE;
}
