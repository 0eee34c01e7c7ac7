import type { Locale } from "./locales";

/** The same page in another language: its query as it was, with `lang` set. */
export function withLang(path: string, params: Record<string, string | string[] | undefined>, locale: Locale): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) query.append(name, one);
  }
  query.set("lang", locale);

  return `${path}?${query.toString()}`;
}
