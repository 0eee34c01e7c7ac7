import "server-only";
import { Auth, raw, skipCSRFCheck } from "@auth/core";
import { AuthError } from "@auth/core/errors";
import type { ResponseInternal } from "@auth/core/types";
import { env } from "@/lib/env";
import type { Locale } from "@/lib/i18n";
import { endSession } from "./sessions";
import { AUTH_BASE_PATH, authConfig, EMAIL_PROVIDER_ID, LOCALE_HEADER, RETURN_HEADER, sessionCookieName } from "./config";

/**
 * Auth.js speaks HTTP (a Request in, a response out), so this module builds the requests our own
 * routes need from it, always on APP_URL's origin, and reads back what it decided. Nothing of
 * Auth.js is mounted where a client could call it directly: its sign-in POST would skip our rate
 * limits, and its callback GET would spend a link whenever a mail scanner opened it.
 */

type AuthCookie = NonNullable<ResponseInternal["cookies"]>[number];

async function runAuthJs(path: string, init: RequestInit, options: { skipCsrf: boolean }): Promise<ResponseInternal> {
  const request = new Request(`${env().appUrl}${AUTH_BASE_PATH}/${path}`, init);
  const answer: unknown = await Auth(request, { ...authConfig(), raw, ...(options.skipCsrf ? { skipCSRFCheck } : {}) });
  // With `raw`, Auth.js answers a failure that is not its own kind of error with its error page.
  if (answer instanceof Response) throw new Error(`Auth.js answered ${answer.status} to ${path}`);

  return answer as ResponseInternal;
}

/**
 * Asks Auth.js for a sign-in link for an address our route has checked and counted: it stores the
 * token (hashed) and calls the provider's sendVerificationRequest, which queues our email. Our route
 * checked where the request came from, so Auth.js's own CSRF token is not needed.
 */
export async function requestSignInLink(input: { email: string; locale: Locale; returnTo: string }): Promise<void> {
  await runAuthJs(
    `signin/${EMAIL_PROVIDER_ID}`,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", [LOCALE_HEADER]: input.locale, [RETURN_HEADER]: input.returnTo },
      body: new URLSearchParams({ email: input.email, callbackUrl: input.returnTo }).toString(),
    },
    { skipCsrf: true },
  );
}

export type CompletedSignIn = { ok: true; cookie: AuthCookie; redirectTo: string } | { ok: false };

/**
 * Spends a link: Auth.js's callback looks the token up for this address and deletes it (so it works
 * once), refuses it past its expiry, creates the user on first sign-in and a session row, and
 * answers with the session cookie. An expired, used, altered or unknown link is `{ ok: false }`.
 * The browser's current session, if any, goes along, so signing in as someone else ends it.
 */
export async function completeSignIn(input: { token: string; email: string; returnTo: string; currentSession: string | null }): Promise<CompletedSignIn> {
  const query = new URLSearchParams({ token: input.token, email: input.email, callbackUrl: input.returnTo });
  const headers: Record<string, string> = {};
  if (input.currentSession) headers.cookie = `${sessionCookieName()}=${input.currentSession}`;
  let answer: ResponseInternal;
  try {
    answer = await runAuthJs(`callback/${EMAIL_PROVIDER_ID}?${query.toString()}`, { method: "GET", headers }, { skipCsrf: false });
  } catch (error) {
    if (error instanceof AuthError && error.type === "Verification") return { ok: false };
    throw error;
  }
  const cookie = answer.cookies?.find((c) => c.name === sessionCookieName());
  if (!cookie) throw new Error("Auth.js signed in without a session cookie");
  // Auth.js ends the browser's old session only when the new user existed before; the cookie is
  // replaced either way, so the old row would outlive the only thing that could use it.
  if (input.currentSession && input.currentSession !== cookie.value) await endSession(input.currentSession);
  const redirect = new URL(answer.redirect ?? input.returnTo, env().appUrl);

  return { ok: true, cookie, redirectTo: `${redirect.pathname}${redirect.search}` };
}

/** A Set-Cookie value for Auth.js's cookie, with the options it chose (ours: HttpOnly, Lax, Secure over https). */
export function serializeCookie(cookie: AuthCookie): string {
  const { options = {} } = cookie;
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`, `Path=${options.path ?? "/"}`];
  if (options.expires) parts.push(`Expires=${new Date(options.expires).toUTCString()}`);
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (options.httpOnly) parts.push("HttpOnly");
  if (options.secure) parts.push("Secure");
  if (options.sameSite) parts.push(`SameSite=${String(options.sameSite).replace(/^./, (c) => c.toUpperCase())}`);

  return parts.join("; ");
}
