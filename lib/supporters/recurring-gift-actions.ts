import { createHash } from "node:crypto";
import { and, eq, inArray, ne } from "drizzle-orm";
import { getDb, type Queryable } from "@/db";
import { giftRequests, recurringGifts } from "@/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { STRIPE_INTERVAL } from "@/lib/gifts/recurrence";
import { describeError, log } from "@/lib/log";
import { getStripe, Stripe } from "@/lib/stripe/client";
import { ensureGiftProduct, giftProductFor } from "@/lib/stripe/gift-products";
import { paymentMethodOf } from "@/lib/recurring/subscription-facts";
import { type Actor, mayActOnRecurringGift } from "./actor";
import { manageLinkFor, rotateManageKey } from "./manage-links";
import { allows, type RecurringGiftAction, resumesAtFor } from "./recurring-gift-rules";
import type { TCancelGift, TChangeGift, TGiftAction, TPauseGift } from "./recurring-gift-schemas";

/**
 * What a supporter can do to a recurring gift, each taking who asks (the Actor) and the form's
 * input. Each one: checks the actor may act on the gift (a stranger is told "not found" and
 * nothing changes), checks the gift's state allows it (recurring-gift-rules.ts), records a
 * gift_requests row as pending, asks Stripe through the SDK with an idempotency key made from the
 * form's attempt id and every parameter, and leaves the row pending: the webhook settles it when
 * the subscription's new state is written (lib/recurring/settle-requests.ts). A request Stripe
 * refuses is marked failed and the supporter told.
 */

type RequestKind = (typeof giftRequests.$inferInsert)["kind"];
type Requested = Record<string, string | number | boolean | null>;

export type GiftRequestOutcome = { requestId: string; kind: RequestKind };

// A new request supersedes pending ones of its group: "change to €10" then "change to €15" shows
// only the second as waiting, and the first is never settled by mistake.
const GROUPS: Record<RequestKind, RequestKind[]> = {
  change_amount: ["change_amount", "change_frequency"],
  change_frequency: ["change_amount", "change_frequency"],
  pause: ["pause", "resume"],
  resume: ["pause", "resume"],
  cancel: ["cancel", "undo_cancel"],
  undo_cancel: ["cancel", "undo_cancel"],
  update_card: ["update_card"],
};

const NOT_FOUND_MESSAGE = "We could not find that recurring gift.";

type OwnGift = Awaited<ReturnType<typeof loadGift>>;

async function loadGift(db: Queryable, recurringGiftId: string) {
  const [gift] = await db
    .select({
      id: recurringGifts.id,
      stripeSubscriptionId: recurringGifts.stripeSubscriptionId,
      stripeCustomerId: recurringGifts.stripeCustomerId,
      status: recurringGifts.status,
      frequency: recurringGifts.frequency,
      interval: recurringGifts.interval,
      amountMinor: recurringGifts.amountMinor,
      currency: recurringGifts.currency,
      currentPeriodEnd: recurringGifts.currentPeriodEnd,
      discreet: recurringGifts.discreet,
      locale: recurringGifts.locale,
    })
    .from(recurringGifts)
    .where(eq(recurringGifts.id, recurringGiftId));

  return gift ?? null;
}

/** The gift if the actor may act on it and its state allows the action; otherwise the refusal. */
async function giftFor(actor: Actor, recurringGiftId: string, action: RecurringGiftAction, db: Queryable): Promise<NonNullable<OwnGift>> {
  if (!(await mayActOnRecurringGift(actor, recurringGiftId, db))) throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
  const gift = await loadGift(db, recurringGiftId);
  if (!gift) throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
  if (!allows(gift, action)) throw new AppError("CONFLICT", refusalFor(gift.status));

  return gift;
}

function refusalFor(status: string): string {
  switch (status) {
    case "ended":
      return "This gift has ended, so there is nothing to change. You can start a new one at any time.";
    case "past_due":
      return "The last payment did not go through. Please update your card first.";
    case "paused":
      return "This gift is paused. Resume it first.";
    case "cancelling":
      return "This gift is set to end. Undo the cancellation first.";
    default:
      return "This gift cannot be changed just now.";
  }
}

function idempotencyKey(kind: RequestKind, gift: { id: string }, attemptId: string, params: unknown): string {
  const fingerprint = createHash("sha256").update(JSON.stringify(params)).digest("hex").slice(0, 32);

  return `gift-request:${kind}:${gift.id}:${attemptId}:${fingerprint}`;
}

/**
 * Records the request as pending (once per idempotency key: a double press finds the first) and
 * supersedes the pending ones of its group.
 */
async function recordRequest(actor: Actor, gift: { id: string }, kind: RequestKind, requested: Requested, key: string): Promise<string> {
  const requestedBy = actor.kind === "supporter" ? "supporter" : "manage_link";

  return getDb().transaction(async (tx) => {
    // The gift's row first, as the webhook worker takes it before settling requests
    // (lib/recurring/record.ts, settle-requests.ts): the same order both ways, or the two deadlock.
    await tx.select({ id: recurringGifts.id }).from(recurringGifts).where(eq(recurringGifts.id, gift.id)).for("update");
    const [inserted] = await tx
      .insert(giftRequests)
      .values({ recurringGiftId: gift.id, kind, requested, idempotencyKey: key, requestedBy })
      .onConflictDoNothing({ target: giftRequests.idempotencyKey })
      .returning({ id: giftRequests.id });
    if (!inserted) {
      // The same press again. If Stripe could not be reached the first time, this try may reach it:
      // the request waits again (Stripe replays what it did answer, under the same key).
      await tx
        .update(giftRequests)
        .set({ status: "pending", failure: null, settledAt: null })
        .where(and(eq(giftRequests.idempotencyKey, key), eq(giftRequests.status, "failed")));
      const [existing] = await tx.select({ id: giftRequests.id }).from(giftRequests).where(eq(giftRequests.idempotencyKey, key));

      return existing!.id;
    }
    await tx
      .update(giftRequests)
      .set({ status: "superseded", settledAt: new Date() })
      .where(
        and(
          eq(giftRequests.recurringGiftId, gift.id),
          eq(giftRequests.status, "pending"),
          inArray(giftRequests.kind, GROUPS[kind]),
          ne(giftRequests.id, inserted.id),
        ),
      );

    return inserted.id;
  });
}

/** Stripe's refusal or absence, as the supporter reads it; the request is marked failed. */
async function failed(requestId: string, error: unknown, what: string): Promise<AppError> {
  const code = error instanceof Stripe.errors.StripeError ? (error.code ?? error.type) : "unreachable";
  await getDb()
    .update(giftRequests)
    .set({ status: "failed", failure: code.slice(0, 200), settledAt: new Date() })
    .where(and(eq(giftRequests.id, requestId), eq(giftRequests.status, "pending")));
  const refused = error instanceof Stripe.errors.StripeError && !(error instanceof Stripe.errors.StripeConnectionError) && !(error instanceof Stripe.errors.StripeAPIError);
  log.error("gift request failed at stripe", {
    what,
    request: requestId,
    type: error instanceof Stripe.errors.StripeError ? error.type : undefined,
    code,
    requestId: error instanceof Stripe.errors.StripeError ? error.requestId : undefined,
  });

  return new AppError(
    "STRIPE_UNAVAILABLE",
    refused
      ? "Our payment provider refused this change. Nothing was changed; please try again later."
      : "We could not reach our payment provider. Nothing was changed; please try again.",
    { cause: error },
  );
}

async function ask<T>(requestId: string, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw await failed(requestId, error, what);
  }
}

/**
 * A new amount, or monthly ↔ annual (or both): the subscription's one item gets a new price on our
 * fixed product of the frequency, without cancelling and with proration_behavior "none". A new
 * amount is charged from the next renewal; a new frequency restarts the cycle, so Stripe takes the
 * first payment at the new frequency at once (and the month already paid is not refunded).
 */
export async function changeRecurringGift(actor: Actor, input: TChangeGift): Promise<GiftRequestOutcome> {
  const db = getDb();
  const gift = await giftFor(actor, input.recurringGiftId, "change", db);
  if (input.currency !== gift.currency) throw new AppError("INVALID_INPUT", "The amount is in another currency than the gift.", { fieldErrors: { amount: "Reload the page: the amount must be in the gift's currency" } });
  const interval = STRIPE_INTERVAL[input.frequency];
  if (input.amountMinor === gift.amountMinor && interval === gift.interval) {
    throw new AppError("INVALID_INPUT", "That is already your gift.", { fieldErrors: { amount: "That is already your gift: choose another amount or frequency" } });
  }
  const { newsroomName, discreetStatementDescriptor } = env();
  const product = giftProductFor(input.frequency, newsroomName, gift.discreet ? { statementDescriptor: discreetStatementDescriptor } : null);
  const kind: RequestKind = interval === gift.interval ? "change_amount" : "change_frequency";
  const stripe = getStripe();
  const requested = { amountMinor: input.amountMinor, currency: gift.currency, interval, frequency: input.frequency };
  // The item's id is part of the parameters: read it first (a GET, no key needed).
  let itemId: string;
  try {
    await ensureGiftProduct(stripe, product);
    const subscription = await stripe.subscriptions.retrieve(gift.stripeSubscriptionId);
    itemId = subscription.items.data[0]!.id;
  } catch (error) {
    log.error("could not read the subscription to change", { error: describeError(error) });
    throw new AppError("STRIPE_UNAVAILABLE", "We could not reach our payment provider. Nothing was changed; please try again.", { cause: error });
  }
  const params: Stripe.SubscriptionUpdateParams = {
    items: [{ id: itemId, price_data: { currency: gift.currency, product: product.id, unit_amount: input.amountMinor, recurring: { interval } } }],
    proration_behavior: "none",
  };
  const key = idempotencyKey(kind, gift, input.attemptId, params);
  const requestId = await recordRequest(actor, gift, kind, requested, key);
  await ask(requestId, kind, () => stripe.subscriptions.update(gift.stripeSubscriptionId, params, { idempotencyKey: key }));

  return { requestId, kind };
}

/**
 * Pauses collection for one, two or three months: renewals in between are voided (nothing is
 * owed for them), and Stripe resumes by itself at the gift's own period end plus the months.
 */
export async function pauseRecurringGift(actor: Actor, input: TPauseGift): Promise<GiftRequestOutcome> {
  const gift = await giftFor(actor, input.recurringGiftId, "pause", getDb());
  if (!gift.currentPeriodEnd) throw new AppError("CONFLICT", "We do not know this gift's next payment date yet; please try again in a minute.");
  const resumesAt = resumesAtFor(gift.currentPeriodEnd, input.months);
  const params = { pause_collection: { behavior: "void", resumes_at: Math.floor(resumesAt.getTime() / 1000) } } satisfies Stripe.SubscriptionUpdateParams;
  const key = idempotencyKey("pause", gift, input.attemptId, params);
  const requestId = await recordRequest(actor, gift, "pause", { months: input.months, resumesAt: resumesAt.toISOString() }, key);
  await ask(requestId, "pause", () => getStripe().subscriptions.update(gift.stripeSubscriptionId, params, { idempotencyKey: key }));

  return { requestId, kind: "pause" };
}

/** Resumes a paused gift now: the next renewal is taken as usual. */
export async function resumeRecurringGift(actor: Actor, input: TGiftAction): Promise<GiftRequestOutcome> {
  const gift = await giftFor(actor, input.recurringGiftId, "resume", getDb());
  const params = { pause_collection: "" } satisfies Stripe.SubscriptionUpdateParams;
  const key = idempotencyKey("resume", gift, input.attemptId, params);
  const requestId = await recordRequest(actor, gift, "resume", {}, key);
  await ask(requestId, "resume", () => getStripe().subscriptions.update(gift.stripeSubscriptionId, params, { idempotencyKey: key }));

  return { requestId, kind: "resume" };
}

/**
 * Cancels at the end of the period already paid for (the supporter has paid for it), with Stripe's
 * own feedback reason and a comment if they gave one; undone until the period ends. A paused gift's
 * pause is lifted in the same update (it ends at the period end, nothing taken). A gift whose
 * renewal failed ends at once: its period was never paid for, and a cancellation at its end would
 * leave Stripe retrying the card until then.
 */
export async function cancelRecurringGift(actor: Actor, input: TCancelGift): Promise<GiftRequestOutcome> {
  const gift = await giftFor(actor, input.recurringGiftId, "cancel", getDb());
  const details: Stripe.SubscriptionUpdateParams.CancellationDetails = {};
  if (input.feedback) details.feedback = input.feedback;
  if (input.comment) details.comment = input.comment;
  const withDetails = Object.keys(details).length > 0 ? { cancellation_details: details } : {};
  if (gift.status === "past_due") {
    const params: Stripe.SubscriptionCancelParams = withDetails;
    const key = idempotencyKey("cancel", gift, input.attemptId, { now: true, ...params });
    const requestId = await recordRequest(actor, gift, "cancel", { feedback: input.feedback, hasComment: input.comment !== null, now: true }, key);
    await ask(requestId, "cancel", () => getStripe().subscriptions.cancel(gift.stripeSubscriptionId, params, { idempotencyKey: key }));

    return { requestId, kind: "cancel" };
  }
  const params: Stripe.SubscriptionUpdateParams = { cancel_at_period_end: true, ...(gift.status === "paused" ? { pause_collection: "" } : {}), ...withDetails };
  const key = idempotencyKey("cancel", gift, input.attemptId, params);
  const requestId = await recordRequest(actor, gift, "cancel", { feedback: input.feedback, hasComment: input.comment !== null }, key);
  await ask(requestId, "cancel", () => getStripe().subscriptions.update(gift.stripeSubscriptionId, params, { idempotencyKey: key }));

  return { requestId, kind: "cancel" };
}

/** Undoes a cancellation before the period ends: the gift goes on as before. */
export async function undoCancelRecurringGift(actor: Actor, input: TGiftAction): Promise<GiftRequestOutcome> {
  const gift = await giftFor(actor, input.recurringGiftId, "undo_cancel", getDb());
  const params = { cancel_at_period_end: false } satisfies Stripe.SubscriptionUpdateParams;
  const key = idempotencyKey("undo_cancel", gift, input.attemptId, params);
  const requestId = await recordRequest(actor, gift, "undo_cancel", {}, key);
  await ask(requestId, "undo_cancel", () => getStripe().subscriptions.update(gift.stripeSubscriptionId, params, { idempotencyKey: key }));

  return { requestId, kind: "undo_cancel" };
}

/**
 * A card update on Stripe's page: a billing portal session in the `payment_method_update` flow,
 * which comes back to our page when done. The request stays pending until the subscription's
 * payment method is seen to change; `returnUrl` is where Stripe sends the supporter back.
 */
export async function updateRecurringGiftCard(actor: Actor, input: TGiftAction, options: { returnUrl: string }): Promise<GiftRequestOutcome & { url: string }> {
  const gift = await giftFor(actor, input.recurringGiftId, "update_card", getDb());
  const stripe = getStripe();
  let previousPaymentMethod: string | null;
  try {
    const subscription = await stripe.subscriptions.retrieve(gift.stripeSubscriptionId, { expand: ["customer"] });
    previousPaymentMethod = paymentMethodOf(subscription);
  } catch (error) {
    log.error("could not read the subscription for a card update", { error: describeError(error) });
    throw new AppError("STRIPE_UNAVAILABLE", "We could not reach our payment provider. Nothing was changed; please try again.", { cause: error });
  }
  const params: Stripe.BillingPortal.SessionCreateParams = {
    customer: gift.stripeCustomerId,
    return_url: options.returnUrl,
    locale: gift.locale === "ru" ? "ru" : "auto",
    flow_data: { type: "payment_method_update", after_completion: { type: "redirect", redirect: { return_url: options.returnUrl } } },
  };
  const key = idempotencyKey("update_card", gift, input.attemptId, params);
  const requestId = await recordRequest(actor, gift, "update_card", { previousPaymentMethod }, key);
  const session = await ask(requestId, "update_card", () => stripe.billingPortal.sessions.create(params, { idempotencyKey: key }));

  return { requestId, kind: "update_card", url: session.url };
}

/**
 * Where the manage link's actions come back to after Stripe's portal: the manage page again with a
 * fresh link (the one in the address bar may be near its end), or the account.
 */
export async function returnUrlFor(actor: Actor, recurringGiftId: string, locale: string | null, now: Date): Promise<string> {
  if (actor.kind === "manage_link") {
    const url = await manageLinkFor(getDb(), recurringGiftId, now, locale);
    if (url) return url;
  }
  const url = new URL("/account", env().appUrl);
  if (locale && locale !== "en") url.searchParams.set("lang", locale);

  return url.toString();
}

/**
 * Stops every "manage this gift" link made so far from working (one forwarded by mistake, a lost
 * phone): the gift gets a new key. Any state, as long as the actor may act on the gift. A link's
 * bearer is given a fresh link to the same page, or they would lock themselves out; a signed-in
 * supporter needs none. Nothing at Stripe changes.
 */
export async function revokeManageLinks(actor: Actor, input: TGiftAction, locale: string | null, now: Date): Promise<{ freshUrl: string | null }> {
  return getDb().transaction(async (tx) => {
    if (!(await mayActOnRecurringGift(actor, input.recurringGiftId, tx))) throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
    if (!(await rotateManageKey(tx, input.recurringGiftId))) throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);

    return { freshUrl: actor.kind === "manage_link" ? await manageLinkFor(tx, input.recurringGiftId, now, locale) : null };
  });
}
