import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { giftRequests, recurringGifts } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { upsertRecurringGift } from "@/lib/recurring/record";
import { subscriptionFacts } from "@/lib/recurring/subscription-facts";
import type { Actor } from "@/lib/supporters/actor";
import {
  cancelRecurringGift,
  changeRecurringGift,
  pauseRecurringGift,
  resumeRecurringGift,
  undoCancelRecurringGift,
  updateRecurringGiftCard,
} from "@/lib/supporters/recurring-gift-actions";
import { resumesAtFor } from "@/lib/supporters/recurring-gift-rules";
import { ZCancelGift, ZChangeGift, ZGiftAction, ZPauseGift } from "@/lib/supporters/recurring-gift-schemas";
import { useTestDatabase } from "../../support/database";
import { ensureGiftProducts, startRecurringGift } from "../../support/gifts";
import { drainUntilSettled } from "../../support/ledger";
import { advanceToRenewal, deliver, eventsAfter, lastEventId, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

// Pauses, cancels and changes subscriptions, and reads every event after each: a stand-in of its own.
usePrivateSandbox();
const database = useTestDatabase();

const owner = (email: string): Actor => ({ kind: "supporter", userId: randomUUID(), email });
const nobody: Actor = { kind: "nobody" };

/** A monthly gift started at the stand-in and recorded in the ledger from its events. */
async function recordedGift(options: { email?: string; amount?: number; interval?: "month" | "year"; card?: string } = {}) {
  const email = options.email ?? `giver-${randomUUID().slice(0, 8)}@example.org`;
  const { marker, subscriptionId } = await startRecurringGift({ email, amount: options.amount ?? 1000, interval: options.interval, card: options.card });
  await deliverSince(marker);
  const [gift] = await getDb().select().from(recurringGifts).where(eq(recurringGifts.stripeSubscriptionId, subscriptionId));

  return { gift: gift!, subscriptionId, actor: owner(email) };
}

/** Delivers every event the stand-in made since the marker, as Stripe would, and applies them. */
async function deliverSince(marker: string | undefined, order: "in order" | "reversed" = "in order"): Promise<Stripe.Event[]> {
  const events = await eventsAfter(marker);
  await deliver(order === "reversed" ? [...events].reverse() : events);
  await drainUntilSettled();

  return events;
}

const requestsOf = (recurringGiftId: string) =>
  getDb().select().from(giftRequests).where(eq(giftRequests.recurringGiftId, recurringGiftId)).orderBy(asc(giftRequests.requestedAt));
const giftRow = async (id: string) => (await getDb().select().from(recurringGifts).where(eq(recurringGifts.id, id)))[0]!;

const change = (gift: { id: string; currency: string }, amount: string, frequency: "monthly" | "annual" = "monthly", attemptId = randomUUID()) =>
  ZChangeGift.parse({ recurringGiftId: gift.id, attemptId, currency: gift.currency, amount, frequency });
const plain = (gift: { id: string }, attemptId = randomUUID()) => ZGiftAction.parse({ recurringGiftId: gift.id, attemptId });

describe(`actions on a recurring gift on ${database.kind}`, () => {
  beforeAll(async () => {
    await ensureGiftProducts();
  });

  it("changes the amount without proration: pending until the webhook, then confirmed; charged from the next renewal", async () => {
    const { gift, subscriptionId, actor } = await recordedGift({ amount: 1000 });
    const marker = await lastEventId();
    const outcome = await changeRecurringGift(actor, change(gift, "15"));
    expect(outcome.kind).toBe("change_amount");
    expect(await requestsOf(gift.id)).toEqual([
      expect.objectContaining({ kind: "change_amount", status: "pending", requestedBy: "supporter", requested: { amountMinor: 1500, currency: "eur", interval: "month", frequency: "monthly" } }),
    ]);
    const subscription = await sandboxStripe().subscriptions.retrieve(subscriptionId);
    expect(subscription.items.data[0]!.price).toMatchObject({ unit_amount: 1500, product: "readerfund_gift_monthly", recurring: { interval: "month" } });

    const events = await deliverSince(marker);
    // proration_behavior "none": nothing invoiced now.
    expect(events.map((e) => e.type)).not.toContain("invoice.created");
    const updated = events.find((e) => e.type === "customer.subscription.updated")!;
    expect(updated.request?.idempotency_key).toMatch(/^gift-request:change_amount:/);
    expect(await requestsOf(gift.id)).toEqual([expect.objectContaining({ status: "confirmed" })]);
    expect(await giftRow(gift.id)).toMatchObject({ amountMinor: 1500, frequency: "monthly" });
  });

  it("switches monthly to annual, settled whichever order the events arrive in", async () => {
    const { gift, actor } = await recordedGift({ amount: 1000 });
    const marker = await lastEventId();
    const outcome = await changeRecurringGift(actor, change(gift, "100", "annual"));
    expect(outcome.kind).toBe("change_frequency");
    const events = await deliverSince(marker, "reversed");
    // A new interval restarts the cycle: Stripe bills the first annual payment at once.
    expect(events.map((e) => e.type)).toContain("invoice.paid");
    expect(await requestsOf(gift.id)).toEqual([expect.objectContaining({ kind: "change_frequency", status: "confirmed" })]);
    expect(await giftRow(gift.id)).toMatchObject({ amountMinor: 10000, frequency: "annual", interval: "year" });
    // The same events again change nothing.
    await deliver(events);
    await drainUntilSettled();
    expect((await requestsOf(gift.id)).map((r) => r.status)).toEqual(["confirmed"]);
  });

  it("refuses amounts outside the limits, in another currency, or no change at all, with nothing sent to Stripe", async () => {
    const { gift, subscriptionId, actor } = await recordedGift({ amount: 1000 });
    expect(ZChangeGift.safeParse({ recurringGiftId: gift.id, attemptId: randomUUID(), currency: "eur", amount: "0.50", frequency: "monthly" }).success).toBe(false);
    expect(ZChangeGift.safeParse({ recurringGiftId: gift.id, attemptId: randomUUID(), currency: "eur", amount: "10000.01", frequency: "monthly" }).success).toBe(false);
    await expect(changeRecurringGift(actor, change(gift, "10"))).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(changeRecurringGift(actor, ZChangeGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID(), currency: "usd", amount: "12", frequency: "monthly" }))).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    expect((await sandboxStripe().subscriptions.retrieve(subscriptionId)).items.data[0]!.price.unit_amount).toBe(1000);
    expect(await requestsOf(gift.id)).toEqual([]);
  });

  it("a double press is one request and one change at Stripe", async () => {
    const { gift, actor } = await recordedGift();
    const marker = await lastEventId();
    const attemptId = randomUUID();
    const [first, second] = [await changeRecurringGift(actor, change(gift, "12", "monthly", attemptId)), await changeRecurringGift(actor, change(gift, "12", "monthly", attemptId))];
    expect(second.requestId).toBe(first.requestId);
    expect((await eventsAfter(marker)).filter((e) => e.type === "customer.subscription.updated")).toHaveLength(1);
    // A second, different change supersedes the first while it waits.
    await changeRecurringGift(actor, change(gift, "14"));
    expect((await requestsOf(gift.id)).map((r) => r.status)).toEqual(["superseded", "pending"]);
    await deliverSince(marker);
    expect((await requestsOf(gift.id)).map((r) => r.status)).toEqual(["superseded", "confirmed"]);
    expect((await giftRow(gift.id)).amountMinor).toBe(1400);
  });

  it("a press again after a failure we could not tell from Stripe's success waits again, and settles", async () => {
    const { gift, actor } = await recordedGift();
    const marker = await lastEventId();
    const attemptId = randomUUID();
    const first = await changeRecurringGift(actor, change(gift, "13", "monthly", attemptId));
    // As if our call had timed out after Stripe made the change: the request was marked failed.
    await getDb().update(giftRequests).set({ status: "failed", failure: "unreachable", settledAt: new Date(Date.UTC(2030, 0, 1)) }).where(eq(giftRequests.id, first.requestId));
    const again = await changeRecurringGift(actor, change(gift, "13", "monthly", attemptId));
    expect(again.requestId).toBe(first.requestId);
    expect((await requestsOf(gift.id))[0]).toMatchObject({ status: "pending", failure: null, settledAt: null });
    // Stripe replayed its answer under the same key: one change there.
    expect((await eventsAfter(marker)).filter((e) => e.type === "customer.subscription.updated")).toHaveLength(1);
    await deliverSince(marker);
    expect((await requestsOf(gift.id))[0]!.status).toBe("confirmed");
  });

  it("pauses for two months from the gift's own period end, then resumes early", async () => {
    const { gift, subscriptionId, actor } = await recordedGift();
    const marker = await lastEventId();
    await pauseRecurringGift(actor, ZPauseGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID(), months: "2" }));
    const resumesAt = resumesAtFor(gift.currentPeriodEnd!, 2);
    expect((await sandboxStripe().subscriptions.retrieve(subscriptionId)).pause_collection).toEqual({ behavior: "void", resumes_at: resumesAt.getTime() / 1000 });
    expect((await requestsOf(gift.id))[0]).toMatchObject({ kind: "pause", status: "pending", requested: { months: 2, resumesAt: resumesAt.toISOString() } });
    await deliverSince(marker);
    expect(await giftRow(gift.id)).toMatchObject({ status: "paused", pausedUntil: resumesAt });
    expect((await requestsOf(gift.id))[0]!.status).toBe("confirmed");

    // Paused: resuming or cancelling, nothing else.
    await expect(changeRecurringGift(actor, change(gift, "20"))).rejects.toMatchObject({ code: "CONFLICT" });
    const resumeMarker = await lastEventId();
    await resumeRecurringGift(actor, plain(gift));
    expect((await sandboxStripe().subscriptions.retrieve(subscriptionId)).pause_collection).toBeNull();
    await deliverSince(resumeMarker);
    expect(await giftRow(gift.id)).toMatchObject({ status: "active", pausedUntil: null });
    expect((await requestsOf(gift.id)).map((r) => [r.kind, r.status])).toEqual([
      ["pause", "confirmed"],
      ["resume", "confirmed"],
    ]);
  });

  it("cancels at the period end with a reason, then undoes it before the end", async () => {
    const { gift, subscriptionId, actor } = await recordedGift();
    const marker = await lastEventId();
    await cancelRecurringGift(actor, ZCancelGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID(), feedback: "too_expensive", comment: "Back next year" }));
    const cancelling = await sandboxStripe().subscriptions.retrieve(subscriptionId);
    expect(cancelling).toMatchObject({
      status: "active",
      cancel_at_period_end: true,
      cancellation_details: { reason: "cancellation_requested", feedback: "too_expensive", comment: "Back next year" },
    });
    const events = await deliverSince(marker);
    expect(events.find((e) => e.type === "customer.subscription.updated")!.data.previous_attributes).toMatchObject({ cancel_at_period_end: false });
    expect(await giftRow(gift.id)).toMatchObject({ status: "cancelling", cancelAt: gift.currentPeriodEnd, cancellationFeedback: "too_expensive" });
    expect((await requestsOf(gift.id))[0]).toMatchObject({ kind: "cancel", status: "confirmed", requested: { feedback: "too_expensive", hasComment: true } });

    const undoMarker = await lastEventId();
    await undoCancelRecurringGift(actor, plain(gift));
    await deliverSince(undoMarker, "reversed");
    expect(await giftRow(gift.id)).toMatchObject({ status: "active", cancelAt: null });
    expect((await requestsOf(gift.id)).map((r) => [r.kind, r.status])).toEqual([
      ["cancel", "confirmed"],
      ["undo_cancel", "confirmed"],
    ]);
  });

  it("cancels with one press and no reason", async () => {
    const { gift, subscriptionId, actor } = await recordedGift();
    const marker = await lastEventId();
    await cancelRecurringGift(actor, ZCancelGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID(), feedback: "", comment: "" }));
    expect((await sandboxStripe().subscriptions.retrieve(subscriptionId)).cancellation_details).toMatchObject({ feedback: null, comment: null });
    await deliverSince(marker);
    expect((await requestsOf(gift.id))[0]!.status).toBe("confirmed");
  });

  it("updates the card through the portal's payment_method_update flow, back to our page, confirmed by the webhook", async () => {
    const { gift, subscriptionId, actor } = await recordedGift();
    const marker = await lastEventId();
    const back = "http://localhost:3000/account";
    const { url } = await updateRecurringGiftCard(actor, plain(gift), { returnUrl: back });
    expect((await requestsOf(gift.id))[0]).toMatchObject({ kind: "update_card", status: "pending" });
    const page = await (await fetch(url)).text();
    expect(page).toContain("Update your payment method");
    const saved = await fetch(`${url}/payment_method`, { method: "POST", body: new URLSearchParams({ cardNumber: "5555555555554444" }), redirect: "manual" });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(back);
    await deliverSince(marker);
    expect((await requestsOf(gift.id))[0]!.status).toBe("confirmed");
    const card = await sandboxStripe().paymentMethods.retrieve((await sandboxStripe().subscriptions.retrieve(subscriptionId)).default_payment_method as string);
    expect(card.card?.last4).toBe("4444");
  });

  it("cancels a paused gift at the period end, the pause lifted, and nothing more is taken", async () => {
    const { gift, subscriptionId, actor } = await recordedGift();
    const pauseMarker = await lastEventId();
    await pauseRecurringGift(actor, ZPauseGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID(), months: "1" }));
    await deliverSince(pauseMarker);
    expect(await giftRow(gift.id)).toMatchObject({ status: "paused" });

    const marker = await lastEventId();
    await cancelRecurringGift(actor, ZCancelGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID(), feedback: "", comment: "" }));
    expect(await sandboxStripe().subscriptions.retrieve(subscriptionId)).toMatchObject({ status: "active", cancel_at_period_end: true, pause_collection: null });
    await deliverSince(marker);
    expect(await giftRow(gift.id)).toMatchObject({ status: "cancelling", cancelAt: gift.currentPeriodEnd, pausedUntil: null });
    expect((await requestsOf(gift.id)).map((r) => [r.kind, r.status])).toEqual([
      ["pause", "confirmed"],
      ["cancel", "confirmed"],
    ]);
  });

  it("a gift whose renewal failed ends at once when cancelled: Stripe tries the card no more", async () => {
    const { gift, subscriptionId, actor } = await recordedGift({ card: "4000000000000341" });
    const renewal = await lastEventId();
    await advanceToRenewal(subscriptionId);
    await deliverSince(renewal);
    expect(await giftRow(gift.id)).toMatchObject({ status: "past_due" });

    const marker = await lastEventId();
    await cancelRecurringGift(actor, ZCancelGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID(), feedback: "too_expensive", comment: "" }));
    expect(await sandboxStripe().subscriptions.retrieve(subscriptionId)).toMatchObject({ status: "canceled", cancellation_details: { feedback: "too_expensive" } });
    await deliverSince(marker, "reversed");
    expect(await giftRow(gift.id)).toMatchObject({ status: "ended" });
    expect((await requestsOf(gift.id)).map((r) => [r.kind, r.status, r.requested.now])).toEqual([["cancel", "confirmed", true]]);
  });

  it("a gift whose renewal failed allows a card update, which brings it back, and no change", async () => {
    // Saved at checkout, declined on every later charge.
    const { gift, subscriptionId, actor } = await recordedGift({ card: "4000000000000341" });
    const renewal = await lastEventId();
    await advanceToRenewal(subscriptionId);
    await deliverSince(renewal);
    expect(await giftRow(gift.id)).toMatchObject({ status: "past_due" });
    await expect(changeRecurringGift(actor, change(gift, "20"))).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("update your card") });
    await expect(pauseRecurringGift(actor, ZPauseGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID(), months: "1" }))).rejects.toMatchObject({ code: "CONFLICT" });

    const marker = await lastEventId();
    const { url } = await updateRecurringGiftCard(actor, plain(gift), { returnUrl: "http://localhost:3000/account" });
    const saved = await fetch(`${url}/payment_method`, { method: "POST", body: new URLSearchParams({ cardNumber: "4242424242424242" }), redirect: "manual" });
    expect(saved.status).toBe(303);
    await deliverSince(marker, "reversed");
    expect(await giftRow(gift.id)).toMatchObject({ status: "active", failedPaymentAttempts: 0 });
    expect((await requestsOf(gift.id)).map((r) => [r.kind, r.status])).toEqual([["update_card", "confirmed"]]);
  });

  it("leaves a request pending when the only read applied began before it was made", async () => {
    const { gift, subscriptionId, actor } = await recordedGift();
    const stripe = sandboxStripe();
    const before = await stripe.subscriptions.retrieve(subscriptionId, { expand: ["customer", "latest_invoice"] });
    await changeRecurringGift(actor, change(gift, "11"));
    const after = await stripe.subscriptions.retrieve(subscriptionId, { expand: ["customer", "latest_invoice"] });
    const old = new Date(Date.UTC(2000, 0, 1));
    // A stale read carrying the new state (stamped before the request) settles nothing.
    await getDb().transaction((tx) => upsertRecurringGift(tx, subscriptionFacts(after, old)!));
    await getDb().transaction((tx) => upsertRecurringGift(tx, subscriptionFacts(before, old)!));
    expect((await requestsOf(gift.id))[0]!.status).toBe("pending");
  });

  describe("refused to anyone but the gift's own supporter or link, with nothing changed", () => {
    const attempts = (gift: { id: string; currency: string }) => ({
      change: (actor: Actor) => changeRecurringGift(actor, change(gift, "25")),
      pause: (actor: Actor) => pauseRecurringGift(actor, ZPauseGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID(), months: "1" })),
      resume: (actor: Actor) => resumeRecurringGift(actor, plain(gift)),
      cancel: (actor: Actor) => cancelRecurringGift(actor, ZCancelGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID() })),
      undo: (actor: Actor) => undoCancelRecurringGift(actor, plain(gift)),
      card: (actor: Actor) => updateRecurringGiftCard(actor, plain(gift), { returnUrl: "http://localhost:3000/account" }),
    });

    it("as another supporter, as nobody, and with another gift's link: not found", async () => {
      const { gift, subscriptionId } = await recordedGift();
      const other = await recordedGift();
      const stripe = sandboxStripe();
      const before = await stripe.subscriptions.retrieve(subscriptionId);
      const marker = await lastEventId();
      const strangers: Actor[] = [other.actor, nobody, { kind: "manage_link", recurringGiftId: other.gift.id }, owner("GIVER@example.org")];
      for (const [name, attempt] of Object.entries(attempts(gift))) {
        for (const stranger of strangers) {
          const refusal = await attempt(stranger).then(
            () => null,
            (error: unknown) => error,
          );
          expect(refusal, `${name} as ${stranger.kind}`).toBeInstanceOf(AppError);
          expect(refusal).toMatchObject({ code: "NOT_FOUND", message: "We could not find that recurring gift." });
        }
      }
      expect(await stripe.subscriptions.retrieve(subscriptionId)).toEqual(before);
      expect(await eventsAfter(marker)).toEqual([]);
      expect(await requestsOf(gift.id)).toEqual([]);
      // An id that is no gift at all reads the same.
      await expect(resumeRecurringGift(other.actor, plain({ id: randomUUID() }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it("the gift's own link may act, as its supporter may (the address matched whatever its case)", async () => {
      const { gift } = await recordedGift({ email: "Mixed.Case@Example.org" });
      const link: Actor = { kind: "manage_link", recurringGiftId: gift.id };
      const marker = await lastEventId();
      await cancelRecurringGift(link, ZCancelGift.parse({ recurringGiftId: gift.id, attemptId: randomUUID() }));
      await deliverSince(marker);
      expect((await requestsOf(gift.id))[0]).toMatchObject({ status: "confirmed", requestedBy: "manage_link" });
      await undoCancelRecurringGift(owner("mixed.case@example.org"), plain(gift));
      expect((await requestsOf(gift.id)).map((r) => r.requestedBy)).toEqual(["manage_link", "supporter"]);
    });

    it("an ended gift allows nothing", async () => {
      const { gift, subscriptionId, actor } = await recordedGift();
      const marker = await lastEventId();
      await sandboxStripe().subscriptions.cancel(subscriptionId);
      await deliverSince(marker);
      for (const [name, attempt] of Object.entries(attempts(gift))) {
        await expect(attempt(actor), name).rejects.toMatchObject({ code: "CONFLICT" });
      }
      expect(await requestsOf(gift.id)).toEqual([]);
    });
  });
});
