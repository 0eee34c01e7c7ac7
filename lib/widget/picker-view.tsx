import type { Campaign } from "@/db/queries/campaigns";
import type { CampaignProgress } from "@/lib/campaigns/progress";
import { feeToCover } from "@/lib/gifts/fees";
import { FREQUENCIES, type Frequency } from "@/lib/gifts/presets";
import { fill, type Locale, type Messages, messagesFor } from "@/lib/i18n";
import { CURRENCY_RULES, formatMoney, GIFT_CURRENCIES, type GiftCurrency, minorToInput, parseAmountToMinor } from "@/lib/money";
import { TrustLine } from "./trust-line";

export type PickerInitial = {
  frequency: Frequency;
  currency: GiftCurrency;
  /** As a form holds it ("25", "12.50"); null for the suggested preset. */
  amount: string | null;
  coverFee: boolean;
  discreet: boolean;
};

export type PickerViewProps = {
  /** Prefix for element ids: unique per picker on a page. */
  uid: string;
  /** Where the picker's forms post: "" on our own pages, our origin inside the embed. */
  appUrl: string;
  locale: Locale;
  newsroomName: string;
  campaign: Campaign;
  /** Toward the campaign's goal, while it runs and has one (lib/campaigns/progress.ts). */
  progress?: CampaignProgress | null;
  initial: PickerInitial;
  attemptId: string;
  attribution: { articleUrl?: string | null; section?: string | null; campaign?: string | null; variant?: string | null };
  /** A signed reminder token, when the reader came back from a reminder email. */
  reminderToken?: string | null;
  /** A message shown above the form (a cancelled checkout, a reopened reminder, an error). */
  notice?: { text: string; tone: "info" | "error" } | null;
  discreetDescriptor: string;
  /** The embed has no headline of the page around it; our own pages give theirs. */
  headingLevel?: 2 | 3;
  /**
   * Our own pages' box, drawn by the server, is put away in the browser of a reader who asked to be
   * reminded later (the embed's loader simply stays away). Never when the reader came back to give.
   */
  snoozable?: boolean;
};

/** The messages the script needs after the page is drawn (labels that change with the choices, errors). */
function clientMessages(locale: Locale) {
  const m = messagesFor(locale);

  return {
    perPeriod: m.picker.perPeriod,
    amountLegend: m.picker.amountLegend,
    suggested: m.picker.suggested,
    coverFee: m.picker.coverFee,
    coverFeeNoAmount: m.picker.coverFeeNoAmount,
    continue: m.picker.continue,
    continueWith: m.picker.continueWith,
    redirecting: m.picker.redirecting,
    upsellBody: m.picker.upsellBody,
    upsellYes: m.picker.upsellYes,
    upsellNo: m.picker.upsellNo,
    fixField: m.picker.fixField,
    network: m.picker.network,
    failed: m.picker.failed,
    checking: m.picker.checking,
    amount: m.picker.amount,
    overWithFee: m.picker.overWithFee,
    limited: m.errors.limited,
    provider: m.errors.provider,
    emailInvalid: m.remind.emailInvalid,
    doneEmail: m.remind.doneEmail,
    doneHidden: m.remind.doneHidden,
  };
}

export type PickerClientConfig = {
  appUrl: string;
  locale: Locale;
  presets: Campaign["presets"];
  m: ReturnType<typeof clientMessages>;
};

/** What every part of the box is drawn from: the request's choices, worked out once. */
type Drawing = {
  props: PickerViewProps;
  m: Messages;
  presets: { amounts: number[]; suggested: number };
  /** The amount as the form holds it, and in minor units (null when it is not a number). */
  amount: string;
  amountMinor: number | null;
  isPreset: boolean;
  perPeriod: string;
  id: (name: string) => string;
  money: (minor: number) => string;
};

/**
 * The picker's markup: one component for the /donate page, the server-rendered block on our own
 * pages, and the embed's HTML. Without script it is a working form that posts to /api/checkout;
 * the widget script (lib/widget/client/picker.ts) then makes the labels follow the choices, offers
 * the monthly upgrade, the reminder and the proof-of-work check, and posts as JSON.
 */
export function PickerView(props: PickerViewProps) {
  const { uid, locale, initial, campaign } = props;
  const m = messagesFor(locale);
  const copy = campaign.copy[locale] ?? {};
  const presets = campaign.presets[initial.frequency][initial.currency];
  const amount = initial.amount ?? minorToInput(presets.suggested, initial.currency);
  const d: Drawing = {
    props,
    m,
    presets,
    amount,
    amountMinor: parseAmountToMinor(amount, initial.currency),
    isPreset: presets.amounts.some((a) => minorToInput(a, initial.currency) === amount),
    perPeriod: m.picker.perPeriod[initial.frequency],
    id: (name: string) => `${uid}-${name}`,
    // As the script writes them (client/model.ts): whole amounts without decimals.
    money: (minor: number) => formatMoney(minor, initial.currency, locale),
  };
  const H = props.headingLevel === 3 ? "h3" : "h2";
  const config: PickerClientConfig = { appUrl: props.appUrl, locale, presets: campaign.presets, m: clientMessages(locale) };

  return (
    <section className="rf-picker" lang={locale} aria-labelledby={d.id("headline")} data-rf-picker="" data-rf-drawn={`${initial.frequency}:${initial.currency}`} data-rf-snoozable={props.snoozable ? "" : undefined}>
      <H id={d.id("headline")} className="rf-headline">
        {copy.headline ?? m.picker.headline}
      </H>
      {props.progress && <GoalProgress d={d} progress={props.progress} />}
      <p className="rf-appeal">{fill(copy.appeal ?? m.picker.appeal, { newsroom: props.newsroomName })}</p>
      {props.notice && (
        <p className={props.notice.tone === "error" ? "rf-notice rf-notice-error" : "rf-notice"} role={props.notice.tone === "error" ? "alert" : "status"}>
          {props.notice.text}
        </p>
      )}
      {/* Shown instead of the form, on our own pages, to a reader who asked to be reminded later (lib/widget/snooze-boot.ts). */}
      <div className="rf-snooze" data-rf-snooze="" hidden>
        <p>{m.picker.snoozed}</p>
        <button type="button" className="rf-button rf-secondary" data-rf-unsnooze="">
          {m.picker.showAnyway}
        </button>
      </div>
      <GiftForm d={d} />
      <RemindPanel d={d} />
      <script type="application/json" data-rf-config="" dangerouslySetInnerHTML={{ __html: JSON.stringify(config).replace(/</g, "\\u003c") }} />
    </section>
  );
}

/**
 * How far the campaign is toward its goal: drawn by the server with the rest (no script, nothing
 * fetched later, so it is in the first paint), a native progress bar named by its visible text.
 * It takes no room of its own (picker.css): the embed's slot, reserved from the box's measured
 * height before the box is fetched, fits a box with a goal as it fits one without.
 */
function GoalProgress({ d: { m, id, props }, progress }: { d: Drawing; progress: CampaignProgress }) {
  const money = (minor: number) => formatMoney(minor, progress.currency, props.locale);
  const text = fill(m.picker.goalProgress, { raised: money(progress.raisedMinor), goal: money(progress.goalMinor) });

  return (
    <div className="rf-progress" data-rf-progress="">
      <p className="rf-progress-text" id={id("progress")}>
        {text}
      </p>
      <progress value={Math.min(progress.raisedMinor, progress.goalMinor)} max={progress.goalMinor} aria-labelledby={id("progress")} aria-valuetext={text} />
    </div>
  );
}

/** The gift: how often, how much, the options, the monthly offer, Continue and the trust line. */
function GiftForm({ d }: { d: Drawing }) {
  const { props, m, amountMinor, money } = d;
  const { initial, locale } = props;
  const hidden = (name: string, value: string | null | undefined) => <input type="hidden" name={name} defaultValue={value ?? ""} />;

  return (
    <form className="rf-form" action={`${props.appUrl}/api/checkout`} method="post" noValidate data-rf-form="">
      {hidden("attemptId", props.attemptId)}
      {hidden("articleUrl", props.attribution.articleUrl)}
      {hidden("section", props.attribution.section)}
      {hidden("campaign", props.attribution.campaign)}
      {hidden("variant", props.attribution.variant)}
      {hidden("locale", locale)}
      {hidden("reminder", props.reminderToken)}
      {hidden("visitorId", "")}
      <FrequencyChoice d={d} />
      <AmountChoice d={d} />
      <GiftOptions d={d} />
      <MonthlyOffer d={d} />
      <button type="submit" className="rf-continue" data-rf-continue="">
        {/* The terms as the script keeps them; a page without script says only "Continue" (its
            labels cannot follow the reader's changes), through the noscript style below. */}
        <span className="rf-terms">
          {amountMinor !== null
            ? fill(m.picker.continueWith[initial.frequency], { amount: money(amountMinor + (initial.coverFee ? feeToCover(amountMinor, initial.currency) : 0)) })
            : m.picker.continue}
        </span>
        <span className="rf-plain">{m.picker.continue}</span>
      </button>
      <p className="rf-status" role="status" aria-live="polite" data-rf-status="" />
      <TrustLine m={m} frequency={initial.frequency} />
      <noscript>
        <style>{".rf-picker .rf-terms{display:none}.rf-picker .rf-plain{display:inline}.rf-picker [data-rf-email-receipts]{display:flex}"}</style>
      </noscript>
    </form>
  );
}

function FrequencyChoice({ d: { m, id, props } }: { d: Drawing }) {
  return (
    <fieldset className="rf-group">
      {/* The three choices say what they are; the question is for screen readers. */}
      <legend className="rf-hidden-text">{m.picker.frequencyLegend}</legend>
      <div className="rf-segments">
        {FREQUENCIES.map((value) => (
          <span className="rf-choice" key={value}>
            <input type="radio" id={id(`frequency-${value}`)} name="frequency" value={value} defaultChecked={value === props.initial.frequency} />
            <label htmlFor={id(`frequency-${value}`)}>{m.picker.frequency[value]}</label>
          </span>
        ))}
      </div>
    </fieldset>
  );
}

/** The preset tiles (as client/draw.ts redraws them), another amount and the currency. */
function AmountChoice({ d }: { d: Drawing }) {
  const { m, id, props, presets, amount, isPreset, perPeriod } = d;
  const { initial, locale } = props;

  return (
    <fieldset className="rf-group" aria-describedby={id("amount-error")}>
      <legend data-rf-amount-legend="">{m.picker.amountLegend[initial.frequency]}</legend>
      <div className={`rf-tiles rf-n${presets.amounts.length}`} data-rf-presets="">
        {presets.amounts.map((preset, index) => (
          <span className="rf-choice" key={preset}>
            <input
              type="radio"
              id={id(`amount-${index}`)}
              name="amount"
              value={minorToInput(preset, initial.currency)}
              defaultChecked={isPreset && minorToInput(preset, initial.currency) === amount}
            />
            <label htmlFor={id(`amount-${index}`)}>
              {formatMoney(preset, initial.currency, locale)}
              {perPeriod && <span className="rf-hidden-text"> {perPeriod}</span>}
              {preset === presets.suggested && <span className="rf-tag">{m.picker.suggested}</span>}
            </label>
          </span>
        ))}
      </div>
      <div className="rf-row">
        <label htmlFor={id("custom")}>
          {m.picker.otherAmount}
          <span className="rf-hidden-text" data-rf-other-suffix="">
            {perPeriod ? ` ${perPeriod}` : ""}
          </span>
        </label>
        <input id={id("custom")} name="customAmount" inputMode="decimal" autoComplete="off" defaultValue={isPreset ? "" : amount} aria-describedby={id("amount-error")} />
        <label htmlFor={id("currency")} className="rf-hidden-text">
          {m.picker.currencyLabel}
        </label>
        <select id={id("currency")} name="currency" defaultValue={initial.currency}>
          {GIFT_CURRENCIES.map((currency) => (
            <option key={currency} value={currency}>
              {currency.toUpperCase()} {CURRENCY_RULES[currency].symbol}
            </option>
          ))}
        </select>
      </div>
      <p className="rf-field-error" id={id("amount-error")} data-rf-error="amount" />
    </fieldset>
  );
}

function GiftOptions({ d }: { d: Drawing }) {
  const { m, id, props, amountMinor, money } = d;
  const { initial } = props;

  return (
    <div className="rf-options">
      <span className="rf-check">
        <input type="checkbox" id={id("cover")} name="coverFee" value="on" defaultChecked={initial.coverFee} />
        <label htmlFor={id("cover")} data-rf-cover-label="">
          {amountMinor !== null
            ? fill(m.picker.coverFee, { fee: money(feeToCover(amountMinor, initial.currency)), amount: money(amountMinor) })
            : m.picker.coverFeeNoAmount}
        </label>
      </span>
      <span className="rf-check">
        <input type="checkbox" id={id("discreet")} name="discreet" value="on" defaultChecked={initial.discreet} aria-describedby={id("discreet-hint")} />
        <label htmlFor={id("discreet")}>{m.picker.discreet}</label>
      </span>
      <p className="rf-hint" id={id("discreet-hint")}>
        {fill(m.picker.discreetHint, { descriptor: props.discreetDescriptor })}
      </p>
      <span className="rf-check" data-rf-email-receipts="" hidden={!initial.discreet}>
        <input type="checkbox" id={id("email-receipts")} name="emailReceipts" value="on" />
        <label htmlFor={id("email-receipts")}>{m.picker.emailReceipts}</label>
      </span>
    </div>
  );
}

/** Filled in and shown by client/offer.ts. */
function MonthlyOffer({ d: { m, id } }: { d: Drawing }) {
  return (
    <div className="rf-upsell" role="group" aria-labelledby={id("upsell-title")} data-rf-upsell="" hidden>
      <p className="rf-upsell-title" id={id("upsell-title")}>
        <strong>{m.picker.upsellTitle}</strong>
      </p>
      <p data-rf-upsell-body="" />
      <div className="rf-actions">
        <button type="button" className="rf-button" data-rf-upsell-yes="" />
        <button type="button" className="rf-button rf-secondary" data-rf-upsell-no="" />
      </div>
    </div>
  );
}

/** "Remind me later": the line, the form it opens (client/remind.ts), and the confirmation's place. */
function RemindPanel({ d: { m, id } }: { d: Drawing }) {
  return (
    <>
      <p className="rf-later rf-await-script" data-rf-later-line="">
        {m.picker.later}{" "}
        <button type="button" className="rf-link" aria-expanded="false" aria-controls={id("remind")} data-rf-later="">
          {m.picker.remindLater}
        </button>
      </p>
      <form className="rf-remind" id={id("remind")} data-rf-remind="" noValidate hidden>
        <fieldset className="rf-group">
          <legend>{m.remind.legend}</legend>
          {(["month", "three_months", "hide"] as const).map((choice) => (
            <span className="rf-check" key={choice}>
              <input type="radio" id={id(`remind-${choice}`)} name="choice" value={choice} defaultChecked={choice === "month"} />
              <label htmlFor={id(`remind-${choice}`)}>{choice === "month" ? m.remind.month : choice === "three_months" ? m.remind.threeMonths : m.remind.hide}</label>
            </span>
          ))}
        </fieldset>
        <span className="rf-field">
          <label htmlFor={id("remind-email")}>{m.remind.email}</label>
          <input type="email" id={id("remind-email")} name="email" autoComplete="email" aria-describedby={`${id("remind-email-hint")} ${id("remind-error")}`} />
        </span>
        <p className="rf-hint" id={id("remind-email-hint")}>
          {m.remind.emailHint}
        </p>
        <p className="rf-field-error" id={id("remind-error")} data-rf-error="remind" role="alert" />
        <button type="submit" className="rf-button">
          {m.remind.submit}
        </button>
      </form>
      {/* The reminder's confirmation: a panel of its own where the form was, well away from Continue. */}
      <p className="rf-remind-done" role="status" aria-live="polite" tabIndex={-1} data-rf-remind-status="" />
    </>
  );
}
