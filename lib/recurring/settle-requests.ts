import { and, eq, lte } from "drizzle-orm";
import type { Transaction } from "@/db";
import { giftRequests, recurringGifts } from "@/db/schema";

/**
 * Settles a recurring gift's pending requests against its state as the ledger now holds it, in the
 * transaction that wrote that state. A request is confirmed once a read of the subscription that
 * began after it was made shows what it asked for; a gift that has ended supersedes whatever was
 * still pending. Only pending rows change, and the stored state never goes back to an older read,
 * so events applied in any order, or again, settle each request once and the same way.
 */
export async function settleGiftRequests(tx: Transaction, recurringGiftId: string, read: { paymentMethodId?: string | null; syncedAt: Date }): Promise<void> {
  const [gift] = await tx
    .select({
      status: recurringGifts.status,
      amountMinor: recurringGifts.amountMinor,
      interval: recurringGifts.interval,
      intervalCount: recurringGifts.intervalCount,
      pausedUntil: recurringGifts.pausedUntil,
      cancelAt: recurringGifts.cancelAt,
      stripeSyncedAt: recurringGifts.stripeSyncedAt,
    })
    .from(recurringGifts)
    .where(eq(recurringGifts.id, recurringGiftId));
  if (!gift) return;
  // Only requests made before the stored read began can be judged by it.
  const pending = await tx
    .select()
    .from(giftRequests)
    .where(and(eq(giftRequests.recurringGiftId, recurringGiftId), eq(giftRequests.status, "pending"), lte(giftRequests.requestedAt, gift.stripeSyncedAt)))
    .for("update");
  for (const request of pending) {
    const asked = request.requested;
    let done: boolean;
    switch (request.kind) {
      case "change_amount":
      case "change_frequency":
        done = gift.amountMinor === asked.amountMinor && gift.interval === asked.interval && gift.intervalCount === 1;
        break;
      case "pause":
        done = gift.status === "paused" && gift.pausedUntil?.toISOString() === asked.resumesAt;
        break;
      case "resume":
        done = gift.status !== "paused" && gift.pausedUntil === null;
        break;
      case "cancel":
        done = gift.status === "cancelling" || gift.status === "ended";
        break;
      case "undo_cancel":
        done = gift.cancelAt === null && gift.status !== "cancelling" && gift.status !== "ended";
        break;
      case "update_card":
        // The card is not a ledger column: judged on this read, if it began after the request.
        done =
          read.syncedAt >= request.requestedAt &&
          typeof read.paymentMethodId === "string" &&
          read.paymentMethodId !== (asked.previousPaymentMethod ?? null);
        break;
    }
    if (done) {
      await tx.update(giftRequests).set({ status: "confirmed", settledAt: gift.stripeSyncedAt }).where(and(eq(giftRequests.id, request.id), eq(giftRequests.status, "pending")));
    } else if (gift.status === "ended") {
      await tx.update(giftRequests).set({ status: "superseded", settledAt: gift.stripeSyncedAt }).where(and(eq(giftRequests.id, request.id), eq(giftRequests.status, "pending")));
    }
  }
}
