import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";

/**
 * One key per purpose, derived from APP_SECRET, so a value signed for one use (a reminder link)
 * can never be replayed as another (a challenge, a hash salt).
 */
export function keyFor(purpose: string): Buffer {
  return createHmac("sha256", env().appSecret).update(`readerfund:${purpose}`).digest();
}

/** `payload.signature`, both base64url: for links that carry their own proof. */
export function sign(purpose: string, payload: string): string {
  const signature = createHmac("sha256", keyFor(purpose)).update(payload).digest("base64url");

  return `${Buffer.from(payload).toString("base64url")}.${signature}`;
}

/** The payload of a value made by `sign` for the same purpose, or null if it was altered. */
export function verify(purpose: string, token: string): string | null {
  const [encoded, signature, extra] = token.split(".");
  if (!encoded || !signature || extra !== undefined) return null;
  let payload: string;
  try {
    payload = Buffer.from(encoded, "base64url").toString("utf8");
  } catch {
    return null;
  }
  const expected = createHmac("sha256", keyFor(purpose)).update(payload).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;

  return payload;
}
