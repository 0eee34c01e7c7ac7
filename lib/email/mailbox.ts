import { env } from "@/lib/env";

/** The local mailbox page exists only where it is the transport: a local run without SMTP. */
export function mailboxEnabled(): boolean {
  const config = env();

  return config.appEnv !== "production" && config.email.smtpUrl === null;
}

export const MAILBOX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
