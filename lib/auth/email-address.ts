import { z } from "zod";

/** Longer than any address a mailbox provider hands out (RFC 5321 caps a path at 256). */
export const MAX_EMAIL_LENGTH = 254;

const EMAIL_ADDRESS = z.email();

/**
 * One inbox, one user: the address as Auth.js's identifier, trimmed, Unicode-normalised (NFKC, so a
 * full-width "＠" cannot pass as a second "@" later) and lower-cased, as supporters' addresses are
 * stored (lib/gifts/record-gift.ts). Null for anything that is not one plain address. Unlike the
 * rate limits' normalizeEmail, a "+tag" or a dot is kept: it is the address we write to.
 */
export function normalizeSignInEmail(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const address = value.normalize("NFKC").trim().toLowerCase();
  if (address.length === 0 || address.length > MAX_EMAIL_LENGTH || /["\s,;<>]/.test(address)) return null;
  if (address.split("@").length !== 2) return null;

  return EMAIL_ADDRESS.safeParse(address).success ? address : null;
}
