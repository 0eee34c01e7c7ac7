import type { Locale } from "@/lib/i18n";
import { DEFAULT_RETURN_PATH } from "./return-path";

/** Why the sign-in page was shown again: codes only, never words from a URL (see picker-errors.ts). */
export const SIGN_IN_ERRORS = ["email", "limited", "failed"] as const;
export type SignInError = (typeof SIGN_IN_ERRORS)[number];

export const isSignInError = (value: unknown): value is SignInError => (SIGN_IN_ERRORS as readonly unknown[]).includes(value);

/** The sign-in page, with why it is shown (an error, or "you signed out") and where to go after. */
export function signInPath(options: { locale?: Locale; error?: SignInError; returnTo?: string; signedOut?: "here" | "everywhere" } = {}): string {
  const query = new URLSearchParams();
  if (options.error) query.set("error", options.error);
  if (options.signedOut) query.set("out", options.signedOut);
  if (options.returnTo && options.returnTo !== DEFAULT_RETURN_PATH) query.set("return", options.returnTo);
  if (options.locale && options.locale !== "en") query.set("lang", options.locale);
  const search = query.toString();

  return search ? `/sign-in?${search}` : "/sign-in";
}

/** The page for a link that cannot be used (expired, used, altered). */
export const problemPath = (locale: Locale) => (locale === "en" ? "/sign-in/problem" : `/sign-in/problem?lang=${locale}`);
