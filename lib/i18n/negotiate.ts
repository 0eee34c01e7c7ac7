import { DEFAULT_LOCALE, isLocale, type Locale } from "./locales";

/**
 * The request header that carries a reader-facing page's language from proxy.ts to the root layout
 * and the page: the layout draws <html lang>, the skip link and the footer, and cannot see the URL.
 */
export const LOCALE_HEADER = "x-readerfund-locale";

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

/** A page's language: the URL's `?lang=` if we speak it, else the browser's first that we speak, else English. */
export function negotiateLocale(lang: string | null | undefined, acceptLanguage: string | null): Locale {
  return localeFrom(lang) ?? localeFromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;
}
