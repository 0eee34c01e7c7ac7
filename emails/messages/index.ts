import { localeFrom } from "@/lib/i18n";
import { en, type Messages } from "./en";
import { ru } from "./ru";

export type { Messages };

/** Every locale we write emails in. Adding one: a dictionary typed `Messages`, and a line here. */
export const MESSAGES = { en, ru } as const satisfies Record<string, Messages>;

export type Locale = keyof typeof MESSAGES;
export const LOCALES = Object.keys(MESSAGES) as Locale[];
export const DEFAULT_LOCALE: Locale = "en";

/**
 * The locale an email is written in, from the supporter's: "ru", "ru-RU" and "RU" are Russian;
 * anything we have no dictionary for (or an empty or malformed tag) falls back to English.
 */
export function resolveLocale(locale: string | null | undefined): Locale {
  return localeFrom(locale) ?? DEFAULT_LOCALE;
}
