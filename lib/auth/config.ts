import "server-only";
import { randomBytes } from "node:crypto";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import type { NextAuthConfig } from "next-auth";
import Nodemailer from "next-auth/providers/nodemailer";
import { getDb } from "@/db";
import { accounts, sessions, users, verificationTokens } from "@/db/schema";
import { env } from "@/lib/env";
import { isLocale } from "@/lib/i18n";
import { log } from "@/lib/log";
import { keyFor } from "@/lib/security/secrets";
import { normalizeSignInEmail } from "./email-address";
import { safeReturnPath } from "./return-path";
import { queueSignInEmail } from "./sign-in-email";

/** Where Auth.js believes it is mounted: the callback links it would make start here. */
export const AUTH_BASE_PATH = "/api/auth";
/** Auth.js's id for its email provider; it names the callback path `/api/auth/callback/nodemailer`. */
export const EMAIL_PROVIDER_ID = "nodemailer";
/** A sign-in link works for ten minutes (and once: Auth.js deletes the token when it is used). */
export const LINK_MAX_AGE_SECONDS = 10 * 60;
/**
 * A session lasts two weeks from signing in. Signing in again is one email away, and a session can
 * cancel gifts, download everything we hold and erase it: a forgotten one should not live for months.
 */
export const SESSION_MAX_AGE_SECONDS = 14 * 24 * 60 * 60;

/** What our own routes hand Auth.js's sign-in request besides the address (it keeps no other field). */
export const LOCALE_HEADER = "x-readerfund-sign-in-locale";
export const RETURN_HEADER = "x-readerfund-sign-in-return";

/** Cookies are `Secure` wherever the app is served over https, which production requires. */
export function secureCookies(): boolean {
  const config = env();

  return config.production || config.appUrl.startsWith("https://");
}

/** Auth.js's database-session cookie, under the name it would choose itself (`__Secure-` over https). */
export function sessionCookieName(): string {
  return secureCookies() ? "__Secure-authjs.session-token" : "authjs.session-token";
}

/**
 * Auth.js, as our routes drive it (lib/auth/auth-js.ts): our tables through the Drizzle adapter,
 * sessions in the database (so signing out everywhere is deleting rows), and the email provider
 * whose link opens our confirm page and whose email goes through our outbox. Built per call: it
 * reads the environment, which must not happen when a module is merely imported (`next build`).
 */
export function authConfig(): NextAuthConfig {
  const secure = secureCookies();

  return {
    basePath: AUTH_BASE_PATH,
    // Derived from APP_SECRET for this one purpose; env.ts refuses production without APP_SECRET and
    // refuses AUTH_SECRET, so no weaker or second secret can be in play.
    secret: keyFor("auth.js").toString("base64url"),
    // Auth.js would otherwise refuse to answer a host it has not been told to trust. Every request
    // it sees is one our routes built on APP_URL's origin (never the client's Host header).
    trustHost: true,
    useSecureCookies: secure,
    adapter: DrizzleAdapter(getDb(), { usersTable: users, accountsTable: accounts, sessionsTable: sessions, verificationTokensTable: verificationTokens }),
    session: {
      strategy: "database",
      maxAge: SESSION_MAX_AGE_SECONDS,
      // 256 random bits rather than a UUID's 122.
      generateSessionToken: () => randomBytes(32).toString("base64url"),
    },
    cookies: {
      sessionToken: { name: sessionCookieName(), options: { httpOnly: true, sameSite: "lax", path: "/", secure } },
    },
    pages: { signIn: "/sign-in", verifyRequest: "/sign-in/sent", error: "/sign-in/problem" },
    providers: [
      Nodemailer({
        id: EMAIL_PROVIDER_ID,
        // Auth.js insists on a server, but sending is ours: the email goes through the outbox
        // (SMTP_URL, or the local mailbox without it), so this transport is never used.
        server: env().email.smtpUrl ?? { jsonTransport: true },
        from: env().email.from,
        maxAge: LINK_MAX_AGE_SECONDS,
        normalizeIdentifier(identifier: string) {
          const email = normalizeSignInEmail(identifier);
          // Our route checked the address first; this only keeps Auth.js from storing another form of it.
          if (email === null) throw new Error("not an email address");

          return email;
        },
        async sendVerificationRequest({ identifier, token, expires, request }) {
          const locale = request.headers.get(LOCALE_HEADER);
          await queueSignInEmail({
            email: identifier,
            token,
            expires,
            locale: isLocale(locale) ? locale : "en",
            returnTo: safeReturnPath(request.headers.get(RETURN_HEADER)),
          });
        },
      }),
    ],
    logger: {
      // Auth.js logs whole errors and, at debug, the query of a failed callback (the token and the
      // address). Only the kind of error reaches our log.
      error(error) {
        log.warn("auth.js refused a request", { kind: (error as { type?: string }).type ?? error.name });
      },
      warn(code) {
        log.warn("auth.js warning", { code });
      },
      debug() {},
    },
  };
}
