/** Where a signed-in supporter goes when nothing else was asked for. */
export const DEFAULT_RETURN_PATH = "/account";

/**
 * Where to go after signing in: a path on this site, or the account. Only a path that starts with
 * one "/" (never "//" or "/\", which browsers read as another host), without control characters, so
 * a link cannot send someone who just signed in to a look-alike site.
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 500) return DEFAULT_RETURN_PATH;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return DEFAULT_RETURN_PATH;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return DEFAULT_RETURN_PATH;

  return value;
}
