import { env } from "@/lib/env";

/**
 * The local mailbox page exists only where it is the transport of a run that takes no real money: no
 * SMTP, not production, and no live Stripe key (a deployment that forgot APP_ENV=production must not
 * publish its supporters' emails at /mailbox).
 */
export function mailboxEnabled(): boolean {
  const config = env();
  const liveKey = /^(sk|rk)_live_/.test(config.stripe.secretKey);

  return config.appEnv !== "production" && config.email.smtpUrl === null && !liveKey;
}

export const MAILBOX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
