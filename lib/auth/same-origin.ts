import { env } from "@/lib/env";

/**
 * Whether a form post comes from one of our own pages. The sign-in forms change who is signed in
 * (or send an email), so another site must not be able to post them for a visitor: that would sign
 * the visitor into the attacker's account (login CSRF) or sign them out. Browsers send Origin with
 * every POST; where a page's referrer policy made it "null", Sec-Fetch-Site still says where the
 * request came from. A request with neither is refused: it is not a browser on our page.
 */
export function isSameOriginPost(headers: { origin: string | null; secFetchSite: string | null }): boolean {
  const ours = new URL(env().appUrl).origin;
  if (headers.origin !== null && headers.origin !== "null") return headers.origin === ours;

  return headers.secFetchSite === "same-origin";
}
