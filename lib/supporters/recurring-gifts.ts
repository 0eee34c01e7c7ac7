import { and, desc, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { type giftRequests, recurringGifts, supporters } from "@/db/schema";
import { type Actor, mayActOnRecurringGift } from "./actor";
import { allowedActions, type RecurringGiftAction } from "./recurring-gift-rules";

/**
 * A recurring gift as its supporter sees it on the manage page and the account: its state, what it
 * allows (recurring-gift-rules.ts) and what is waiting for Stripe's confirmation. Read for an
 * Actor: a stranger gets nothing, exactly as for a gift that does not exist.
 */
export type RecurringGiftView = {
  id: string;
  amountMinor: number;
  currency: string;
  frequency: "once" | "monthly" | "annual" | null;
  interval: string;
  intervalCount: number;
  status: "incomplete" | "active" | "past_due" | "paused" | "cancelling" | "ended" | "unknown";
  statusReason: string | null;
  currentPeriodEnd: Date | null;
  cancelAt: Date | null;
  endedAt: Date | null;
  pausedUntil: Date | null;
  nextPaymentAttemptAt: Date | null;
  discreet: boolean;
  locale: string | null;
  actions: readonly RecurringGiftAction[];
  pending: Array<{ id: string; kind: (typeof giftRequests.$inferSelect)["kind"]; requested: Record<string, string | number | boolean | null>; requestedAt: Date }>;
};

// A card update whose portal page was left without saving never settles: after this long it is
// no longer shown as waiting (the portal's own session has long expired).
const CARD_UPDATE_SHOWN_MS = 60 * 60 * 1000;

const columns = {
  id: recurringGifts.id,
  amountMinor: recurringGifts.amountMinor,
  currency: recurringGifts.currency,
  frequency: recurringGifts.frequency,
  interval: recurringGifts.interval,
  intervalCount: recurringGifts.intervalCount,
  status: recurringGifts.status,
  statusReason: recurringGifts.statusReason,
  currentPeriodEnd: recurringGifts.currentPeriodEnd,
  cancelAt: recurringGifts.cancelAt,
  endedAt: recurringGifts.endedAt,
  pausedUntil: recurringGifts.pausedUntil,
  nextPaymentAttemptAt: recurringGifts.nextPaymentAttemptAt,
  discreet: recurringGifts.discreet,
  locale: recurringGifts.locale,
};

type PendingJson = { id: string; kind: RecurringGiftView["pending"][number]["kind"]; requested: RecurringGiftView["pending"][number]["requested"]; requestedAt: string };

// The gift's pending requests in the same statement as the gift: one snapshot. Read apart, the
// webhook worker could commit between the two reads (the request confirmed, the new state written),
// and the page would show the old state with nothing pending, and stop refreshing itself.
// Written out with qualified names: Drizzle leaves a column of a one-table select unqualified, and
// inside this subquery "id" would then be the request's own.
const pendingRequests = sql<PendingJson[]>`coalesce((
  select json_agg(json_build_object('id', gr.id, 'kind', gr.kind, 'requested', gr.requested, 'requestedAt', gr.requested_at) order by gr.requested_at)
  from gift_requests gr
  where gr.recurring_gift_id = "recurring_gifts"."id" and gr.status = 'pending'
), '[]'::json)`;

type Row = Omit<RecurringGiftView, "actions" | "pending"> & { pending: PendingJson[] };

function toView(row: Row, now: Date): RecurringGiftView {
  return {
    ...row,
    actions: allowedActions(row),
    pending: row.pending
      .map((p) => ({ ...p, requestedAt: new Date(p.requestedAt) }))
      .filter((p) => p.kind !== "update_card" || now.getTime() - p.requestedAt.getTime() < CARD_UPDATE_SHOWN_MS),
  };
}

/** One gift for the actor, or null (not theirs, or no such gift: the same answer). */
export async function recurringGiftFor(actor: Actor, recurringGiftId: string, db: Queryable, now: Date): Promise<RecurringGiftView | null> {
  if (!(await mayActOnRecurringGift(actor, recurringGiftId, db))) return null;
  const [row] = await db
    .select({ ...columns, pending: pendingRequests })
    .from(recurringGifts)
    .where(eq(recurringGifts.id, recurringGiftId));

  return row ? toView(row, now) : null;
}

/**
 * Every recurring gift of the signed-in supporter (by their address, whatever its case), live ones
 * first, newest first; a manage link's one gift; nothing for nobody.
 */
export async function recurringGiftsOf(actor: Actor, db: Queryable, now: Date): Promise<RecurringGiftView[]> {
  if (actor.kind === "manage_link") {
    const one = await recurringGiftFor(actor, actor.recurringGiftId, db, now);

    return one ? [one] : [];
  }
  if (actor.kind !== "supporter") return [];
  const rows = await db
    .select({ ...columns, pending: pendingRequests })
    .from(recurringGifts)
    .innerJoin(supporters, eq(supporters.id, recurringGifts.supporterId))
    .where(and(eq(supporters.email, actor.email.toLowerCase()), sql`${recurringGifts.status} <> 'incomplete'`))
    .orderBy(sql`${recurringGifts.status} = 'ended'`, desc(recurringGifts.startedAt));

  return rows.map((row) => toView(row, now));
}
