import "server-only";
import { cache } from "react";
import { loadCampaign } from "@/db/queries/campaigns";
import { progressToward } from "@/lib/campaigns/progress";
import { env } from "@/lib/env";
import { describeError, log } from "@/lib/log";
import { first, pickerStateFrom, type SearchParams } from "@/lib/gifts/picker-state";
import { type Locale, localeFrom, localeFromAcceptLanguage, messagesFor } from "@/lib/i18n";
import { readReminderForPicker } from "@/lib/reminders/reopen";
import type { PickerViewProps } from "./picker-view";

export type PickerSurface = {
  /** "page": our own pages (same origin). "embed": an article page elsewhere, through the loader. */
  kind: "page" | "embed";
  /** Attribution a page gives its picker when the URL names none. */
  defaults?: { articleUrl?: string; section?: string; campaign?: string; variant?: string };
  headingLevel?: 2 | 3;
  /** The page's language (lib/i18n/request.ts), on our own pages. */
  locale?: Locale;
};

/** The reminder a link reopens, read once per request (the page and the picker both need it). */
export const readReminderOnce = cache(readReminderForPicker);

const attributionParam = (value: string | string[] | undefined) => first(value)?.slice(0, 500) || undefined;

/**
 * Everything the picker shows, from the request: language (the embed's `lang`, else on our own
 * pages the browser's), currency (chosen, else by country), the campaign's presets and copy, and
 * the state a cancelled checkout came back with.
 */
export async function pickerModel(given: SearchParams, headers: Headers, surface: PickerSurface): Promise<PickerViewProps> {
  // A reminder's link reopens the picker exactly as the reader left it, on our own page.
  const reminderToken = surface.kind === "page" ? first(given.reminder) : undefined;
  const reminder = reminderToken ? await readReminderOnce(reminderToken) : null;
  // Back from a cancelled checkout, or from a refused form post, the URL holds the reader's latest
  // choices; the reminder still counts.
  const params: SearchParams = reminder && first(given.cancelled) !== "1" && !first(given.error)
    ? {
        ...given,
        frequency: reminder.frequency,
        currency: reminder.currency,
        amount: reminder.amount,
        cover: reminder.coverFee ? "1" : undefined,
        lang: first(given.lang) ?? reminder.locale,
        article: reminder.articleUrl ?? undefined,
        section: reminder.section ?? undefined,
        campaign: reminder.campaign ?? undefined,
        variant: reminder.variant ?? undefined,
      }
    : given;
  const locale: Locale =
    localeFrom(first(params.lang)) ?? surface.locale ?? (surface.kind === "page" ? localeFromAcceptLanguage(headers.get("accept-language")) : null) ?? "en";
  const state = pickerStateFrom(params, { headers, locale });
  const m = messagesFor(locale);
  const campaignSlug = attributionParam(params.campaign) ?? surface.defaults?.campaign;
  const campaign = await loadCampaign(campaignSlug);
  // Per render, like the campaign itself: a gift shows in the bar as soon as its webhook is recorded.
  const progress = campaign.goal ? await progressToward(campaign.goal).catch(progressUnavailable) : null;
  const notice = state.serverError
    ? ({ text: state.serverError, tone: "error" } as const)
    : state.cancelled
      ? ({ text: m.picker.cancelled, tone: "info" } as const)
      : reminder && params !== given
        ? ({ text: m.picker.reopened, tone: "info" } as const)
        : null;

  return {
    uid: `rf${state.attemptId.slice(0, 8)}`,
    appUrl: surface.kind === "embed" ? env().appUrl : "",
    locale,
    newsroomName: env().newsroomName,
    campaign,
    progress,
    initial: state.initial,
    attemptId: state.attemptId,
    attribution: {
      articleUrl: attributionParam(params.article) ?? surface.defaults?.articleUrl,
      section: attributionParam(params.section) ?? surface.defaults?.section,
      campaign: campaignSlug,
      variant: attributionParam(params.variant) ?? surface.defaults?.variant,
    },
    notice,
    reminderToken: reminder ? reminderToken : null,
    discreetDescriptor: env().discreetStatementDescriptor,
    headingLevel: surface.headingLevel,
    snoozable: surface.kind === "page" && notice === null,
  };
}

/** The picker shows without its progress bar rather than not at all. */
function progressUnavailable(error: unknown): null {
  log.error("campaign progress unavailable; the picker shows without it", { error: describeError(error) });

  return null;
}
