import { createHmac } from "node:crypto";
import { keyFor } from "@/lib/security/secrets";
import { rateLimitSubject } from "./client-ip";

export type HashedKind = "ip" | "visitor" | "email";

/** `YYYY-MM-DD` of the UTC day `at` falls in. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * A keyed hash of an identifier for the rate-limit table. The key changes with the UTC day, so a
 * hash cannot be matched to the same address or email once the day is over, even by someone who
 * holds both a copy of the table and a guess at the address; and since no limit's window is longer
 * than a day, no row outlives its hash's usefulness. 128 bits of the HMAC are plenty to keep
 * different clients apart.
 */
export function dailyHash(kind: HashedKind, value: string, at: Date = new Date()): string {
  return createHmac("sha256", keyFor(`rate-limit:${utcDay(at)}`))
    .update(`${kind}\n${value}`)
    .digest("base64url")
    .slice(0, 22);
}

/** Hashes what one client controls: the address, or for IPv6 its /64. */
export function hashIp(ip: string, at?: Date): string {
  return dailyHash("ip", rateLimitSubject(ip), at);
}

/** Hashes an email as the same inbox however it was typed (see normalizeEmail). */
export function hashEmail(email: string, at?: Date): string {
  return dailyHash("email", normalizeEmail(email), at);
}

/** The widget's visitor id is random, but it is linked to reminders: the table keeps its hash. */
export function hashVisitorId(visitorId: string, at?: Date): string {
  return dailyHash("visitor", visitorId, at);
}

const DOTLESS_DOMAINS = new Set(["gmail.com", "googlemail.com"]);

/**
 * One inbox, however many ways it can be written: trimmed, lower-cased, without a "+tag" (which most
 * providers deliver to the same inbox), and without dots for Gmail. For counting only; the address
 * a reminder goes to is the one the reader typed.
 */
export function normalizeEmail(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf("@");
  if (at <= 0) return lower;
  let local = lower.slice(0, at).split("+")[0]!;
  let domain = lower.slice(at + 1);
  if (domain === "googlemail.com") domain = "gmail.com";
  if (DOTLESS_DOMAINS.has(domain)) local = local.replace(/\./g, "");

  return `${local || lower.slice(0, at)}@${domain}`;
}
