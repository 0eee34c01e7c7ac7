import { env } from "@/lib/env";

/**
 * The local mailbox page exists only where it is the transport of a run that takes no real money: no
 * SMTP and not production (which a live Stripe key implies, so a deployment that forgot
 * APP_ENV=production cannot publish its supporters' emails at /mailbox; it cannot start without SMTP).
 */
export function mailboxEnabled(): boolean {
  const config = env();

  return !config.production && config.email.smtpUrl === null;
}

export const MAILBOX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
