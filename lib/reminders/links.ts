import { env } from "@/lib/env";
import { sign, verify } from "@/lib/security/secrets";

/** Signs a reminder's id for the link that reopens the picker (/donate?reminder=…). */
export const REMINDER_LINK_PURPOSE = "reminder-link";
/** Signs a reminder's id for its cancel page and one-click unsubscribe: a different key, so neither link can be made from the other. */
export const REMINDER_CANCEL_PURPOSE = "reminder-cancel";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A real token is about 100 characters; anything far longer is not worth hashing.
const MAX_TOKEN_LENGTH = 512;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The reminder id a token was signed for, or null for a token altered, made for another purpose, or not ours. */
export function reminderIdFromToken(purpose: typeof REMINDER_LINK_PURPOSE | typeof REMINDER_CANCEL_PURPOSE, token: string | null | undefined): string | null {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  const id = verify(purpose, token);

  return id !== null && isUuid(id) ? id.toLowerCase() : null;
}

/**
 * Every link a reminder's email carries; the pages a reader opens carry the reminder's language, so
 * they open in it directly (proxy.ts reads `lang`).
 */
export function reminderLinks(reminderId: string, locale?: string): { reopenUrl: string; cancelUrl: string; oneClickUnsubscribeUrl: string } {
  const { appUrl } = env();
  const reopen = encodeURIComponent(sign(REMINDER_LINK_PURPOSE, reminderId));
  const cancel = encodeURIComponent(sign(REMINDER_CANCEL_PURPOSE, reminderId));
  const lang = locale ? `&lang=${encodeURIComponent(locale)}` : "";

  return {
    reopenUrl: `${appUrl}/donate?reminder=${reopen}${lang}`,
    cancelUrl: `${appUrl}/reminders/cancel?token=${cancel}${lang}`,
    // RFC 8058's one-click POST cannot go to a page; it goes to the endpoint the page's form posts to.
    oneClickUnsubscribeUrl: `${appUrl}/api/reminders/cancel?token=${cancel}`,
  };
}
