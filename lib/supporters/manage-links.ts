import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { recurringGifts } from "@/db/schema";
import { env } from "@/lib/env";
import { keyFor } from "@/lib/security/secrets";
import type { Actor } from "./actor";

/**
 * "Manage this gift" links: one recurring gift's management without an account, for 30 days.
 *
 * A token is `payload.issued.keyed`, each part base64url. The payload is the gift's id and the
 * link's expiry (unix seconds). `issued` is an HMAC of the payload alone: it proves we made the
 * link, so anything altered is told apart from a link that was fine once. `keyed` is an HMAC of the
 * payload and the gift's `manage_key`: rotating the key (rotateManageKey) voids every link made
 * before, without our keeping a list of them. Both are keyed with a key derived from APP_SECRET
 * for this purpose only, and compared in constant time.
 */

const PURPOSE = "manage-link";
export const MANAGE_LINK_DAYS = 30;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type ManageLinkFailure = "tampered" | "expired" | "revoked";
export type ManageLinkCheck =
  | { ok: true; actor: Extract<Actor, { kind: "manage_link" }>; expiresAt: Date }
  | { ok: false; reason: ManageLinkFailure };

const mac = (message: string) => createHmac("sha256", keyFor(PURPOSE)).update(message).digest();
const issuedMac = (payload: string) => mac(`issued:${payload}`);
const keyedMac = (payload: string, manageKey: string) => mac(`keyed:${payload}:${manageKey}`);

/**
 * A token for the gift, valid until `now` + 30 days. `manageKey` is the gift's current key (the
 * caller has the row; in a transaction that wrote it, the row as written).
 */
export function signManageToken(gift: { id: string; manageKey: string }, now: Date): string {
  const expires = Math.floor(now.getTime() / 1000) + MANAGE_LINK_DAYS * 24 * 3600;
  const payload = `${gift.id}.${expires}`;

  return [Buffer.from(payload).toString("base64url"), issuedMac(payload).toString("base64url"), keyedMac(payload, gift.manageKey).toString("base64url")].join(".");
}

/** The page's address for a token, in the reader's language. */
export function manageUrl(token: string, locale: string | null = null): string {
  const url = new URL("/manage", env().appUrl);
  url.searchParams.set("token", token);
  if (locale && locale !== "en") url.searchParams.set("lang", locale);

  return url.toString();
}

/** Reads the gift's key and signs a link for it; null if there is no such gift. */
export async function manageLinkFor(db: Queryable, recurringGiftId: string, now: Date, locale: string | null = null): Promise<string | null> {
  const [gift] = await db.select({ id: recurringGifts.id, manageKey: recurringGifts.manageKey }).from(recurringGifts).where(eq(recurringGifts.id, recurringGiftId));

  return gift ? manageUrl(signManageToken(gift, now), locale) : null;
}

function sameBytes(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given, "base64url");

  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/**
 * Who a token makes its bearer: the one gift it was made for, or why not. Altered or not ours →
 * tampered (checked first, so an edited expiry reads as tampered, not expired); past its expiry at
 * `now` → expired; its gift gone or its key rotated since → revoked.
 */
export async function verifyManageToken(token: string, db: Queryable, now: Date): Promise<ManageLinkCheck> {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) return { ok: false, reason: "tampered" };
  const [encoded, issued, keyed] = parts as [string, string, string];
  const payload = Buffer.from(encoded, "base64url").toString("utf8");
  if (!sameBytes(issued, issuedMac(payload))) return { ok: false, reason: "tampered" };
  const match = /^([0-9a-f-]{36})\.(\d{1,12})$/.exec(payload);
  if (!match || !UUID.test(match[1]!)) return { ok: false, reason: "tampered" };
  const recurringGiftId = match[1]!;
  const expiresAt = new Date(Number(match[2]) * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: "expired" };
  const [gift] = await db.select({ manageKey: recurringGifts.manageKey }).from(recurringGifts).where(eq(recurringGifts.id, recurringGiftId));
  if (!gift || !sameBytes(keyed, keyedMac(payload, gift.manageKey))) return { ok: false, reason: "revoked" };

  return { ok: true, actor: { kind: "manage_link", recurringGiftId }, expiresAt };
}

/**
 * Voids every link made for the gift so far (a supporter who forwarded one by mistake, or a lost
 * phone): a new random key. Answers whether the gift exists. It takes no actor: callers that act
 * for a supporter check mayActOnRecurringGift first.
 */
export async function rotateManageKey(db: Queryable, recurringGiftId: string): Promise<boolean> {
  const rows = await db.update(recurringGifts).set({ manageKey: randomUUID() }).where(eq(recurringGifts.id, recurringGiftId)).returning({ id: recurringGifts.id });

  return rows.length > 0;
}
