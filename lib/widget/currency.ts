import { env } from "@/lib/env";
import { GIFT_CURRENCIES, type GiftCurrency, isGiftCurrency } from "@/lib/money";

// Country headers that CDNs and platforms set from the client's address (we never look it up
// ourselves, and never ask a third party). COUNTRY_HEADER names another.
const KNOWN_COUNTRY_HEADERS = ["cf-ipcountry", "cloudfront-viewer-country", "x-vercel-ip-country", "x-country-code"];

// The euro area, and the EEA/EU countries whose readers most often pay in euros.
const EURO_COUNTRIES = new Set(
  "AT BE HR CY EE FI FR DE GR IE IT LV LT LU MT NL PT SK SI ES AD MC SM VA ME XK BG CZ DK HU PL RO SE NO IS LI CH".split(" "),
);

/** The reader's country as a CDN told us (ISO 3166 alpha-2), or null. */
export function countryFrom(headers: Headers): string | null {
  const names = env().countryHeader ? [env().countryHeader!] : KNOWN_COUNTRY_HEADERS;
  for (const name of names) {
    const value = headers.get(name)?.trim().toUpperCase();
    if (value && /^[A-Z]{2}$/.test(value) && value !== "XX" && value !== "T1") return value;
  }

  return null;
}

/** The currency a reader from that country most likely pays in; euros when we cannot tell. */
export function currencyForCountry(country: string | null): GiftCurrency {
  if (country === "US" || country === "PR") return "usd";
  if (country === "GB" || country === "GG" || country === "JE" || country === "IM") return "gbp";
  if (country && EURO_COUNTRIES.has(country)) return "eur";

  return GIFT_CURRENCIES[0];
}

/** A currency the reader chose (the switch, a reminder link) wins over the one their country suggests. */
export function pickCurrency(chosen: string | null | undefined, headers: Headers): GiftCurrency {
  const lower = chosen?.toLowerCase();
  if (lower && isGiftCurrency(lower)) return lower;

  return currencyForCountry(countryFrom(headers));
}
