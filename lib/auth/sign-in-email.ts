import "server-only";
import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { staffMembers, supporters, users, verificationTokens } from "@/db/schema";
import { emailSenderRunning, wakeEmailSender } from "@/lib/email/sender";
import { enqueueAddressEmail } from "@/lib/email/outbox";
import { env } from "@/lib/env";
import type { Locale } from "@/lib/i18n";
import { log } from "@/lib/log";
import { DEFAULT_RETURN_PATH } from "./return-path";

/** The page a sign-in link opens: it shows a button and uses nothing until the button is pressed. */
export const CONFIRM_PATH = "/sign-in/confirm";

/** Our confirm page's address for a token (never Auth.js's callback, which a GET would spend). */
export function confirmUrl(input: { token: string; email: string; locale: Locale; returnTo: string }): string {
  const query = new URLSearchParams({ token: input.token, email: input.email });
  if (input.returnTo !== DEFAULT_RETURN_PATH) query.set("return", input.returnTo);
  if (input.locale !== "en") query.set("lang", input.locale);

  return `${env().appUrl}${CONFIRM_PATH}?${query.toString()}`;
}

/**
 * Auth.js's sendVerificationRequest: queues the `sign_in` email to an address we know (a supporter's,
 * a user's who signed in before, or staff's: granted a role or an admin by ADMIN_EMAILS) and nothing
 * to any other, so the form cannot be used to write to strangers. The page answers the same either way, and both ways do the same lookups; the one more
 * insert for a known address is in the outbox, and the sending happens later, in the sender's loop.
 */
export async function queueSignInEmail(input: { email: string; token: string; expires: Date; locale: Locale; returnTo: string }): Promise<void> {
  const db = getDb();
  const [known] = await db
    .select({ one: sql<number>`1` })
    .from(supporters)
    .where(eq(supporters.email, input.email))
    .union(db.select({ one: sql<number>`1` }).from(users).where(eq(users.email, input.email)))
    .union(db.select({ one: sql<number>`1` }).from(staffMembers).where(eq(staffMembers.email, input.email)));
  // Links no one used: Auth.js deletes a token only when it is used.
  await db.delete(verificationTokens).where(sql`${verificationTokens.expires} < now()`);
  if (!known && !env().adminEmails.includes(input.email)) return;
  const minutes = Math.max(1, Math.round((input.expires.getTime() - Date.now()) / 60_000));
  await db.transaction((tx) =>
    enqueueAddressEmail(tx, {
      to: input.email,
      locale: input.locale,
      template: "sign_in",
      props: { signInUrl: confirmUrl(input), expiresInMinutes: minutes },
      // One email per link; the token itself is not kept in the key.
      idempotencyKey: `sign-in:${createHash("sha256").update(input.token).digest("hex").slice(0, 32)}`,
    }),
  );
  log.info("sign-in link queued");
  if (emailSenderRunning()) void wakeEmailSender();
}
