import "server-only";
import { headers } from "next/headers";
import { DEFAULT_LOCALE, isLocale, type Locale } from "./locales";
import { LOCALE_HEADER } from "./negotiate";

/**
 * The language of the page being rendered, as proxy.ts decided it from the URL and the browser
 * (English on pages it does not serve: the mailbox, the embed's instructions). The root layout and
 * the page read the same value, so <html lang>, the title, the footer and the page agree.
 */
export async function requestLocale(): Promise<Locale> {
  const value = (await headers()).get(LOCALE_HEADER);

  return isLocale(value) ? value : DEFAULT_LOCALE;
}
