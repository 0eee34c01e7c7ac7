import "server-only";
import { headers } from "next/headers";
import { DEFAULT_LOCALE, isLocale, type Locale } from "./locales";
import { LOCALE_HEADER } from "./negotiate";

const localeOf = (incoming: Headers): Locale => {
  const value = incoming.get(LOCALE_HEADER);

  return isLocale(value) ? value : DEFAULT_LOCALE;
};

/**
 * The language of the page being rendered, as proxy.ts decided it from the URL and the browser
 * (English on pages it does not serve: the mailbox, the embed's instructions). The root layout and
 * the page read the same value, so <html lang>, the title, the footer and the page agree.
 */
export async function requestLocale(): Promise<Locale> {
  return localeOf(await headers());
}

/**
 * The same, or null when no request is being rendered: a page component called on its own (the
 * integration tests render the reminder's cancel page so) has no frame whose language could differ.
 */
export async function requestLocaleIfRendering(): Promise<Locale | null> {
  let incoming: Headers;
  try {
    incoming = await headers();
  } catch {
    // Next throws when called outside a request scope; it has no other way to fail.
    return null;
  }

  return localeOf(incoming);
}
