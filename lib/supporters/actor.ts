import { and, eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { recurringGifts, supporters } from "@/db/schema";

/**
 * Who asks, as every supporter query and action takes it: the data layer decides what they may see
 * or change, never only the page. A signed-in supporter is known by their (lower-cased) address; a
 * "manage this gift" link (lib/supporters/manage-links.ts) reaches one recurring gift and nothing else.
 */
export type Actor =
  | { kind: "supporter"; userId: string; email: string }
  | { kind: "manage_link"; recurringGiftId: string }
  | { kind: "nobody" };

export const nobody: Actor = { kind: "nobody" };

/** The supporter row a signed-in actor is, if they have ever given (null for a link or nobody). */
export async function supporterIdOf(actor: Actor, db: Queryable): Promise<string | null> {
  if (actor.kind !== "supporter") return null;
  const [row] = await db.select({ id: supporters.id }).from(supporters).where(eq(supporters.email, actor.email.toLowerCase())).limit(1);

  return row?.id ?? null;
}

/**
 * Whether the actor may read or change this recurring gift: it is the link's own gift, or it
 * belongs to the signed-in supporter. Callers answer "not found" otherwise, so that a stranger
 * cannot tell someone else's gift from no gift.
 */
export async function mayActOnRecurringGift(actor: Actor, recurringGiftId: string, db: Queryable): Promise<boolean> {
  if (actor.kind === "manage_link") return actor.recurringGiftId === recurringGiftId;
  if (actor.kind !== "supporter") return false;
  const [row] = await db
    .select({ id: recurringGifts.id })
    .from(recurringGifts)
    .innerJoin(supporters, eq(supporters.id, recurringGifts.supporterId))
    .where(and(eq(recurringGifts.id, recurringGiftId), eq(supporters.email, actor.email.toLowerCase())))
    .limit(1);

  return row !== undefined;
}
