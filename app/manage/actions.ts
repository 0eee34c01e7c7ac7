"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { type ActionState, action } from "@/lib/actions/action";
import { currentActor } from "@/lib/auth/current-actor";
import { AppError } from "@/lib/errors";
import { isLocale } from "@/lib/i18n";
import type { Actor } from "@/lib/supporters/actor";
import { verifyManageToken } from "@/lib/supporters/manage-links";
import {
  cancelRecurringGift,
  changeRecurringGift,
  pauseRecurringGift,
  resumeRecurringGift,
  returnUrlFor,
  revokeManageLinks,
  undoCancelRecurringGift,
  updateRecurringGiftCard,
} from "@/lib/supporters/recurring-gift-actions";
import { ZCancelGift, ZChangeGift, ZGiftAction, ZPauseGift } from "@/lib/supporters/recurring-gift-schemas";

/**
 * The recurring gift's forms, on the manage page (with the link's token in a hidden field) and on
 * the account (the session cookie). Each finds who asks, then runs the action in lib/, which checks
 * again that they may. On success it goes back to the page the form was on, where the request shows
 * as pending: a plain form post without JavaScript does the same.
 */

type Context = { actor: Actor; back: string; locale: string | null };

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);

  return typeof value === "string" && value.length > 0 ? value : null;
};

async function whoAsks(formData: FormData): Promise<Context> {
  const lang = text(formData, "lang");
  const locale = lang && isLocale(lang) ? lang : null;
  const token = text(formData, "token");
  if (token) {
    const check = await verifyManageToken(token, getDb(), new Date());
    if (!check.ok) throw new AppError("FORBIDDEN", "This link no longer works. Use the link in your latest receipt, or sign in.");
    const back = new URLSearchParams({ token, ...(locale && locale !== "en" ? { lang: locale } : {}) });

    return { actor: check.actor, back: `/manage?${back.toString()}`, locale };
  }
  const actor = await currentActor();
  if (actor.kind === "nobody") throw new AppError("FORBIDDEN", "Please sign in again.");

  return { actor, back: `/account${locale && locale !== "en" ? `?lang=${locale}` : ""}`, locale };
}

const done = (context: Context, recurringGiftId: string): never => {
  // With JavaScript the router follows the redirect itself, and to the same page with only a hash
  // added it would show the copy it already holds: the gift without its pending request, and no
  // refreshing until Stripe confirms. Revalidating makes it read the page again.
  revalidatePath(context.back.split("?")[0]!);

  return redirect(`${context.back}#gift-${recurringGiftId}`);
};

export async function changeGiftAction(previous: ActionState<never>, formData: FormData): Promise<ActionState<never>> {
  return action({
    schema: ZChangeGift,
    name: "change recurring gift",
    authorize: () => whoAsks(formData),
    run: async (input, context) => {
      await changeRecurringGift(context.actor, input);

      return done(context, input.recurringGiftId);
    },
  })(previous, formData);
}

export async function pauseGiftAction(previous: ActionState<never>, formData: FormData): Promise<ActionState<never>> {
  return action({
    schema: ZPauseGift,
    name: "pause recurring gift",
    authorize: () => whoAsks(formData),
    run: async (input, context) => {
      await pauseRecurringGift(context.actor, input);

      return done(context, input.recurringGiftId);
    },
  })(previous, formData);
}

export async function resumeGiftAction(previous: ActionState<never>, formData: FormData): Promise<ActionState<never>> {
  return action({
    schema: ZGiftAction,
    name: "resume recurring gift",
    authorize: () => whoAsks(formData),
    run: async (input, context) => {
      await resumeRecurringGift(context.actor, input);

      return done(context, input.recurringGiftId);
    },
  })(previous, formData);
}

export async function cancelGiftAction(previous: ActionState<never>, formData: FormData): Promise<ActionState<never>> {
  return action({
    schema: ZCancelGift,
    name: "cancel recurring gift",
    authorize: () => whoAsks(formData),
    run: async (input, context) => {
      await cancelRecurringGift(context.actor, input);

      return done(context, input.recurringGiftId);
    },
  })(previous, formData);
}

export async function undoCancelGiftAction(previous: ActionState<never>, formData: FormData): Promise<ActionState<never>> {
  return action({
    schema: ZGiftAction,
    name: "undo recurring gift cancellation",
    authorize: () => whoAsks(formData),
    run: async (input, context) => {
      await undoCancelRecurringGift(context.actor, input);

      return done(context, input.recurringGiftId);
    },
  })(previous, formData);
}

/** To Stripe's page for the new card, which comes back to this page (with a fresh link). */
export async function updateCardAction(previous: ActionState<never>, formData: FormData): Promise<ActionState<never>> {
  return action({
    schema: ZGiftAction,
    name: "update recurring gift card",
    authorize: () => whoAsks(formData),
    run: async (input, context) => {
      const returnUrl = await returnUrlFor(context.actor, input.recurringGiftId, context.locale, new Date());
      const { url } = await updateRecurringGiftCard(context.actor, input, { returnUrl });

      return redirect(url);
    },
  })(previous, formData);
}

/** Every link sent so far stops working; a link's bearer goes on with a fresh one, a supporter stays. */
export async function revokeLinksAction(previous: ActionState<never>, formData: FormData): Promise<ActionState<never>> {
  return action({
    schema: ZGiftAction,
    name: "revoke manage links",
    authorize: () => whoAsks(formData),
    run: async (input, context) => {
      const { freshUrl } = await revokeManageLinks(context.actor, input, context.locale, new Date());
      if (freshUrl) {
        const fresh = new URL(freshUrl);

        return redirect(`${fresh.pathname}${fresh.search}#gift-${input.recurringGiftId}`);
      }

      return done(context, input.recurringGiftId);
    },
  })(previous, formData);
}
