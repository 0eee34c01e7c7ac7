import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { recurringGifts } from "@/db/schema";
import { mayActOnRecurringGift } from "@/lib/supporters/actor";
import { MANAGE_LINK_DAYS, manageLinkFor, rotateManageKey, signManageToken, verifyManageToken } from "@/lib/supporters/manage-links";
import { revokeManageLinks } from "@/lib/supporters/recurring-gift-actions";
import { useTestDatabase } from "../../support/database";

const database = useTestDatabase();

// Fixed instants: no test here reads today's date.
const ISSUED = new Date("2031-01-31T23:30:00Z");
const DAY = 24 * 3600 * 1000;

async function insertGift(): Promise<{ id: string; manageKey: string }> {
  const [row] = await getDb()
    .insert(recurringGifts)
    .values({
      stripeSubscriptionId: `sub_${crypto.randomUUID().replaceAll("-", "")}`,
      stripeCustomerId: "cus_links",
      frequency: "monthly",
      interval: "month",
      intervalCount: 1,
      amountMinor: 1000,
      currency: "eur",
      status: "active",
      stripeStatus: "active",
      startedAt: ISSUED,
      livemode: "test",
      stripeSyncedAt: ISSUED,
    })
    .returning({ id: recurringGifts.id, manageKey: recurringGifts.manageKey });

  return row!;
}

const tamper = (token: string, part: number, change: (s: string) => string) =>
  token
    .split(".")
    .map((p, i) => (i === part ? change(p) : p))
    .join(".");

describe(`manage links on ${database.kind}`, () => {
  let gift: { id: string; manageKey: string };
  beforeAll(async () => {
    gift = await insertGift();
  });

  it("a link opens its own gift, and no other, until 30 days after it was made", async () => {
    const token = signManageToken(gift, ISSUED);
    const check = await verifyManageToken(token, getDb(), new Date(ISSUED.getTime() + MANAGE_LINK_DAYS * DAY - 1000));
    expect(check).toEqual({ ok: true, actor: { kind: "manage_link", recurringGiftId: gift.id }, expiresAt: new Date(ISSUED.getTime() + 30 * DAY) });
    if (!check.ok) return;
    expect(await mayActOnRecurringGift(check.actor, gift.id, getDb())).toBe(true);
    const other = await insertGift();
    expect(await mayActOnRecurringGift(check.actor, other.id, getDb())).toBe(false);
    expect(token).not.toContain(gift.manageKey);
  });

  it("expires: a link made more than 30 days before is refused as expired", async () => {
    const token = signManageToken(gift, ISSUED);
    expect(await verifyManageToken(token, getDb(), new Date(ISSUED.getTime() + 30 * DAY))).toEqual({ ok: false, reason: "expired" });
    expect(await verifyManageToken(token, getDb(), new Date(ISSUED.getTime() + 400 * DAY))).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a tampered link: another gift's id, a later expiry, a changed signature, garbage", async () => {
    const token = signManageToken(gift, ISSUED);
    const other = await insertGift();
    const [payload] = token.split(".");
    const decoded = Buffer.from(payload!, "base64url").toString();
    const now = new Date(ISSUED.getTime() + DAY);
    const forged = [
      tamper(token, 0, () => Buffer.from(decoded.replace(gift.id, other.id)).toString("base64url")),
      tamper(token, 0, () => Buffer.from(decoded.replace(/\.\d+$/, `.${Math.floor(ISSUED.getTime() / 1000) + 3650 * 86400}`)).toString("base64url")),
      tamper(token, 1, (s) => (s.startsWith("A") ? `B${s.slice(1)}` : `A${s.slice(1)}`)),
      tamper(token, 1, (s) => s.slice(0, -2)),
      token.split(".").slice(0, 2).join("."),
      `${token}.extra`,
      "",
      "not a token",
      "a.b.c",
    ];
    for (const candidate of forged) expect(await verifyManageToken(candidate, getDb(), now), candidate).toEqual({ ok: false, reason: "tampered" });
    // A link signed with the right form but for no gift we have reads as revoked, never as valid.
    expect(await verifyManageToken(signManageToken({ id: crypto.randomUUID(), manageKey: "k" }, ISSUED), getDb(), now)).toEqual({ ok: false, reason: "revoked" });
    // The keyed part altered: made by us, but not with the gift's key.
    expect(await verifyManageToken(tamper(token, 2, (s) => (s.startsWith("A") ? `B${s.slice(1)}` : `A${s.slice(1)}`)), getDb(), now)).toEqual({ ok: false, reason: "revoked" });
  });

  it("is revoked by rotating the gift's key: old links fail, new ones work", async () => {
    const target = await insertGift();
    const old = signManageToken(target, ISSUED);
    const now = new Date(ISSUED.getTime() + DAY);
    expect((await verifyManageToken(old, getDb(), now)).ok).toBe(true);
    expect(await rotateManageKey(getDb(), target.id)).toBe(true);
    expect(await verifyManageToken(old, getDb(), now)).toEqual({ ok: false, reason: "revoked" });
    const url = await manageLinkFor(getDb(), target.id, ISSUED, "ru");
    const fresh = new URL(url!);
    expect(fresh.pathname).toBe("/manage");
    expect(fresh.searchParams.get("lang")).toBe("ru");
    expect((await verifyManageToken(fresh.searchParams.get("token")!, getDb(), now)).ok).toBe(true);
    const [row] = await getDb().select({ manageKey: recurringGifts.manageKey }).from(recurringGifts).where(eq(recurringGifts.id, target.id));
    expect(row!.manageKey).not.toBe(target.manageKey);
    expect(await rotateManageKey(getDb(), crypto.randomUUID())).toBe(false);
  });

  it("stops earlier links from the gift's page: its bearer goes on with a fresh link; a stranger or nobody changes nothing", async () => {
    const target = await insertGift();
    const old = signManageToken(target, ISSUED);
    const now = new Date(ISSUED.getTime() + DAY);
    const check = await verifyManageToken(old, getDb(), now);
    if (!check.ok) throw new Error("the link should work");
    const keyOf = async () => (await getDb().select({ manageKey: recurringGifts.manageKey }).from(recurringGifts).where(eq(recurringGifts.id, target.id)))[0]!.manageKey;

    for (const stranger of [{ kind: "nobody" } as const, { kind: "supporter", userId: crypto.randomUUID(), email: "someone.else@example.org" } as const, { kind: "manage_link", recurringGiftId: crypto.randomUUID() } as const]) {
      await expect(revokeManageLinks(stranger, { recurringGiftId: target.id, attemptId: crypto.randomUUID() }, null, now)).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await keyOf()).toBe(target.manageKey);

    const { freshUrl } = await revokeManageLinks(check.actor, { recurringGiftId: target.id, attemptId: crypto.randomUUID() }, "ru", now);
    expect(await verifyManageToken(old, getDb(), now)).toEqual({ ok: false, reason: "revoked" });
    const fresh = new URL(freshUrl!);
    expect(fresh.searchParams.get("lang")).toBe("ru");
    expect((await verifyManageToken(fresh.searchParams.get("token")!, getDb(), now)).ok).toBe(true);
    expect(await keyOf()).not.toBe(target.manageKey);
  });
});
