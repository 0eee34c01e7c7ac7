"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useId, useState } from "react";
import { useForm } from "react-hook-form";
import { AVAILABLE_FREQUENCIES, FREQUENCIES, type Frequency, PRESET_AMOUNTS } from "@/lib/gifts/presets";
import { continueLabel, PER_PERIOD } from "@/lib/gifts/recurrence";
import { type TGiftForm, type TGiftFormInput, ZGiftForm } from "@/lib/gifts/schemas";
import { formatMoney, GIFT_CURRENCIES, type GiftCurrency, minorToInput } from "@/lib/money";

export type DonationPickerProps = {
  attemptId: string;
  headline: string;
  appeal: string;
  initial: { frequency: Frequency; currency: GiftCurrency; amount: string | null };
  attribution: { articleUrl?: string; section?: string; campaign?: string; variant?: string };
  serverError?: string | null;
};

const FREQUENCY_LABELS: Record<Frequency, string> = { once: "Once", monthly: "Monthly", annual: "Annual" };
const CURRENCY_LABELS: Record<GiftCurrency, string> = { eur: "EUR (€)", usd: "USD ($)", gbp: "GBP (£)" };

/**
 * The donation picker as it sits in an article footer. The same zod schema validates here and on
 * the server. Without JavaScript it is a plain form posting to the same endpoint; what depends on
 * choices made after the page loaded (the Continue button's summary) appears only once the script
 * runs, so a page without it never states terms the reader has since changed.
 */
export function DonationPicker(props: DonationPickerProps) {
  const ids = useId();
  const presetsFor = (frequency: Frequency, currency: GiftCurrency) => PRESET_AMOUNTS[frequency][currency];
  const startPresets = presetsFor(props.initial.frequency, props.initial.currency);
  const startAmount = props.initial.amount ?? minorToInput(startPresets.suggested, props.initial.currency);
  const startIsPreset = startPresets.amounts.some((a) => minorToInput(a, props.initial.currency) === startAmount);

  const [customActive, setCustomActive] = useState(!startIsPreset);
  const [formError, setFormError] = useState<string | null>(props.serverError ?? null);
  const [redirecting, setRedirecting] = useState(false);
  const [hydrated, setHydrated] = useState(false);

  const defaultValues = {
    frequency: props.initial.frequency,
    currency: props.initial.currency,
    amount: startAmount,
    attemptId: props.attemptId,
    articleUrl: props.attribution.articleUrl ?? "",
    section: props.attribution.section ?? "",
    campaign: props.attribution.campaign ?? "",
    variant: props.attribution.variant ?? "",
    locale: "en",
  } satisfies TGiftFormInput;

  const {
    register,
    handleSubmit,
    setValue,
    watch,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<TGiftFormInput, unknown, TGiftForm>({
    resolver: zodResolver(ZGiftForm),
    defaultValues,
  });

  useEffect(() => setHydrated(true), []);

  // Coming back from Checkout with the browser's Back button restores this page as it was left,
  // "Opening secure payment…" included: make it usable again.
  useEffect(() => {
    const onPageShow = (event: PageTransitionEvent) => {
      if (!event.persisted) return;
      setRedirecting(false);
      // Whatever happened on Checkout, pressing Continue again is a new attempt.
      setValue("attemptId", crypto.randomUUID());
    };
    window.addEventListener("pageshow", onPageShow);

    return () => window.removeEventListener("pageshow", onPageShow);
  }, [setValue]);

  const frequency = watch("frequency");
  const currency = watch("currency");
  const amount = watch("amount");
  const presets = presetsFor(frequency, currency);
  const perPeriod = PER_PERIOD[frequency];

  const choosePreset = (amountMinor: number) => {
    setCustomActive(false);
    setValue("amount", minorToInput(amountMinor, currency), { shouldValidate: errors.amount !== undefined });
  };

  const onSubmit = async (values: TGiftForm) => {
    setFormError(null);
    let response: Response;
    try {
      response = await fetch("/api/checkout", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...values, amount: minorToInput(values.amountMinor, values.currency), amountMinor: undefined }),
      });
    } catch {
      setFormError("We could not reach the server. Check your connection and try again; nothing was charged.");

      return;
    }
    const body = (await response.json().catch(() => null)) as
      | { url?: string; error?: { message?: string; fieldErrors?: Record<string, string> } }
      | null;
    if (response.ok && body?.url) {
      setRedirecting(true);
      window.location.assign(body.url);

      return;
    }
    const fieldErrors = body?.error?.fieldErrors ?? {};
    for (const [field, message] of Object.entries(fieldErrors)) {
      if (field === "amount" || field === "frequency" || field === "currency") setError(field, { message });
    }
    setFormError(body?.error?.message ?? "Something went wrong. Nothing was charged; please try again.");
  };

  const amountErrorId = `${ids}-amount-error`;
  const frequencyErrorId = `${ids}-frequency-error`;
  const busy = isSubmitting || redirecting;

  return (
    <section className="picker" aria-labelledby={`${ids}-headline`}>
      <h2 id={`${ids}-headline`}>{props.headline}</h2>
      <p className="appeal">{props.appeal}</p>
      <form action="/api/checkout" method="post" noValidate onSubmit={handleSubmit(onSubmit)}>
        {/* The server-rendered values (defaultValue, defaultChecked) are what a plain form post
            sends before the script has loaded, or without it: register alone renders none. */}
        <input type="hidden" defaultValue={defaultValues.attemptId} {...register("attemptId")} />
        <input type="hidden" defaultValue={defaultValues.articleUrl} {...register("articleUrl")} />
        <input type="hidden" defaultValue={defaultValues.section} {...register("section")} />
        <input type="hidden" defaultValue={defaultValues.campaign} {...register("campaign")} />
        <input type="hidden" defaultValue={defaultValues.variant} {...register("variant")} />
        <input type="hidden" defaultValue={defaultValues.locale} {...register("locale")} />

        <fieldset aria-describedby={errors.frequency ? frequencyErrorId : undefined}>
          <legend>How often would you like to give?</legend>
          <div className="choice-row">
            {FREQUENCIES.map((value) => {
              const available = AVAILABLE_FREQUENCIES.includes(value);

              return (
                <div className="choice" key={value}>
                  <input
                    type="radio"
                    id={`${ids}-frequency-${value}`}
                    value={value}
                    defaultChecked={value === defaultValues.frequency}
                    disabled={!available}
                    {...register("frequency", {
                      // A preset amount follows the frequency (€25 once, €10 a month); a typed one stays.
                      onChange: (event: { target: { value: Frequency } }) => {
                        if (!customActive) setValue("amount", minorToInput(presetsFor(event.target.value, currency).suggested, currency));
                      },
                    })}
                  />
                  <label htmlFor={`${ids}-frequency-${value}`}>
                    {FREQUENCY_LABELS[value]}
                    {!available && <span className="tag">coming soon</span>}
                  </label>
                </div>
              );
            })}
          </div>
          {errors.frequency && (
            <p className="field-error" id={frequencyErrorId}>
              {errors.frequency.message}
            </p>
          )}
        </fieldset>

        <div className="currency-select">
          <label htmlFor={`${ids}-currency`}>Currency </label>
          <select
            id={`${ids}-currency`}
            defaultValue={defaultValues.currency}
            {...register("currency", {
              onChange: (event: { target: { value: GiftCurrency } }) => {
                const next = presetsFor(frequency, event.target.value);
                if (!customActive) setValue("amount", minorToInput(next.suggested, event.target.value));
              },
            })}
          >
            {GIFT_CURRENCIES.map((value) => (
              <option key={value} value={value}>
                {CURRENCY_LABELS[value]}
              </option>
            ))}
          </select>
        </div>

        <fieldset aria-describedby={errors.amount ? amountErrorId : undefined} style={{ marginTop: "1rem" }}>
          <legend>Amount</legend>
          <div className="choice-row">
            {presets.amounts.map((amountMinor) => {
              const id = `${ids}-amount-${amountMinor}`;
              const checked = !customActive && amount === minorToInput(amountMinor, currency);

              return (
                <div className="choice" key={amountMinor}>
                  <input
                    type="radio"
                    id={id}
                    name="amount"
                    value={minorToInput(amountMinor, currency)}
                    checked={checked}
                    onChange={() => choosePreset(amountMinor)}
                  />
                  <label htmlFor={id}>
                    {formatMoney(amountMinor, currency)}
                    {perPeriod && <span className="per"> {perPeriod}</span>}
                    {amountMinor === presets.suggested && <span className="tag">suggested</span>}
                  </label>
                </div>
              );
            })}
          </div>
          <div className="custom-amount">
            <label htmlFor={`${ids}-custom`}>
              Other amount {perPeriod ? `${perPeriod} ` : ""}({CURRENCY_LABELS[currency]})
            </label>
            <input
              id={`${ids}-custom`}
              name="customAmount"
              inputMode="decimal"
              autoComplete="off"
              value={customActive ? amount : ""}
              aria-invalid={errors.amount ? true : undefined}
              aria-describedby={errors.amount ? amountErrorId : undefined}
              onChange={(event) => {
                setCustomActive(true);
                setValue("amount", event.target.value, { shouldValidate: errors.amount !== undefined });
              }}
              onFocus={() => {
                if (!customActive) {
                  setCustomActive(true);
                  setValue("amount", "");
                }
              }}
            />
          </div>
          {errors.amount && (
            <p className="field-error" id={amountErrorId}>
              {errors.amount.message}
            </p>
          )}
        </fieldset>

        <p className="form-error" role="status" aria-live="polite">
          {formError ?? (errors.amount || errors.frequency ? "Please correct the highlighted field." : "")}
        </p>

        <button type="submit" className="continue" disabled={busy}>
          {redirecting ? "Opening secure payment…" : hydrated ? continueLabel(frequency, amount, currency) : "Continue"}
        </button>
        <p className="later">
          Not ready to support today?{" "}
          <button type="button" aria-disabled="true" aria-describedby={`${ids}-later-note`}>
            Remind me later
          </button>
          <span id={`${ids}-later-note`}> (reminders are coming soon)</span>
        </p>
      </form>
    </section>
  );
}
