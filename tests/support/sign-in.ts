import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { getDb } from "@/db";
import { outboundEmails, rateLimits, sessions, supporters, users, verificationTokens } from "@/db/schema";
import { sendDueEmails } from "@/lib/email/sender";
import { env } from "@/lib/env";
import { smtpTransport } from "@/lib/email/transport";
import { POST as confirmPost } from "@/app/api/auth/confirm/route";
import { POST as signInPost } from "@/app/api/auth/sign-in/route";
import { POST as signOutPost } from "@/app/api/auth/sign-out/route";
import { someClient } from "./clients";
import { type Received, startSmtpServer } from "./smtp";

export type SmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;

/** The app's origin as the file's environment sets it (http://localhost:3000 unless a variant says otherwise). */
export const app = () => env().appUrl;

/**
 * The sign-in suites' set-up: a real SMTP server for the file, handed to `started`; before each test
 * no supporters, users, sessions, links, emails or rate-limit counters. Call at the top level, after
 * useTestDatabase().
 */
export function useSignInSuite(started: (smtp: SmtpServer) => void): void {
  let smtp: SmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    started(smtp);
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(async () => {
    await getDb().execute(sql`truncate ${sessions}, ${verificationTokens}, ${users}, ${outboundEmails}, ${supporters}, ${rateLimits} cascade`);
    smtp.received.length = 0;
  });
}

/** A supporter as a gift would have recorded them (the address lower-cased). */
export async function aSupporter(email: string, locale: string | null = null): Promise<void> {
  await getDb().insert(supporters).values({ email, locale });
}

type Headers = Record<string, string>;

/** POST /api/auth/sign-in as the page's script sends it (JSON), from one client unless told. */
export const askForLink = (body: Record<string, unknown>, headers: Headers = someClient()) =>
  signInPost(
    new Request(`${app()}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: app(), ...headers },
      body: JSON.stringify(body),
    }),
  );

/** POST /api/auth/sign-in as the plain form (no JavaScript) posts it. */
export const askForLinkByForm = (fields: Record<string, string>, headers: Headers = someClient()) =>
  signInPost(
    new Request(`${app()}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: app(), ...headers },
      body: new URLSearchParams(fields).toString(),
    }),
  );

/** Sends what the outbox holds to the test's SMTP server. */
export const deliver = (smtp: SmtpServer) => sendDueEmails({ transport: smtpTransport(smtp.url()) });

/**
 * The confirm link in an email as it arrived: from the text part (the HTML one is `&amp;`-escaped),
 * which mailparser has already decoded from quoted-printable.
 */
export function confirmLinkIn(email: Received): URL {
  const found = email.text.split(/\s+/).find((word) => word.startsWith(`${app()}/sign-in/confirm?`));
  expect(found, "a confirm link in the email's text").toBeDefined();

  return new URL(found!);
}

/** Asks for a link for a supporter and returns the link their email carries. */
export async function linkFor(smtp: SmtpServer, email: string, body: Record<string, unknown> = {}): Promise<URL> {
  const asked = await askForLink({ email, ...body });
  expect(asked.status).toBe(200);
  const before = smtp.received.length;
  await deliver(smtp);
  expect(smtp.received.length).toBe(before + 1);

  return confirmLinkIn(smtp.received.at(-1)!);
}

/** The confirm page's "Sign in" button: its form, posted from our page. */
export const pressSignIn = (fields: Record<string, string>, headers: Headers = { origin: app() }) =>
  confirmPost(
    new Request(`${app()}/api/auth/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    }),
  );

/** The button's fields for a link (as the confirm page puts them in its form). */
export const fieldsOf = (link: URL): Record<string, string> => {
  const fields: Record<string, string> = { token: link.searchParams.get("token") ?? "", email: link.searchParams.get("email") ?? "" };
  for (const name of ["return", "lang"]) {
    const value = link.searchParams.get(name);
    if (value !== null) fields[name] = value;
  }

  return fields;
};

/** The account page's sign-out forms. */
export const signOut = (scope: "here" | "everywhere", cookie: string | null, headers: Headers = { origin: app() }) =>
  signOutPost(
    new Request(`${app()}/api/auth/sign-out`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}), ...headers },
      body: new URLSearchParams({ scope }).toString(),
    }),
  );

/** The session cookie a response sets: its name=value, and its attributes as written. */
export function sessionCookieOf(response: Response): { pair: string; token: string; attributes: string[] } | null {
  const line = response.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token=") || c.startsWith("__Secure-authjs.session-token="));
  if (!line) return null;
  const [pair, ...attributes] = line.split(";").map((part) => part.trim());

  return { pair: pair!, token: decodeURIComponent(pair!.slice(pair!.indexOf("=") + 1)), attributes };
}
