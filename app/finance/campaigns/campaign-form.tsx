"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { startTransition, useActionState, useEffect, useRef } from "react";
import { get, useForm, type UseFormRegisterReturn } from "react-hook-form";
import { CAMPAIGN_LANGUAGES, FREQUENCY_LABEL, setLabel, type TCampaignForm, type TCampaignFormInput, ZCampaignForm } from "@/lib/campaigns/schemas";
import { FREQUENCIES } from "@/lib/gifts/presets";
import { GIFT_CURRENCIES } from "@/lib/money";
import { saveCampaignAction } from "./actions";

const LANGUAGE_NAME = { en: "English", ru: "Russian" } as const;

type FieldProps = { id: string; label: string; error?: string; hint?: string; registration: UseFormRegisterReturn; long?: boolean; type?: string; readOnly?: boolean };

/** A labelled input whose error is tied to it (aria-invalid, aria-describedby) and announced. */
function Field({ id, label, error, hint, registration, long, type = "text", readOnly }: FieldProps) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const common = { id, ...registration, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy };

  return (
    <p className="campaign-field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {" "}
          {hint}
        </span>
      )}
      <br />
      {long ? <textarea rows={3} {...common} /> : <input type={type} autoComplete="off" readOnly={readOnly} {...common} />}
      {error && (
        <span id={`${id}-error`} role="alert" className="field-error">
          {" "}
          {error}
        </span>
      )}
    </p>
  );
}

/**
 * A campaign's settings: checked in the browser with the server's own schema (react-hook-form),
 * then posted to the server action, which checks again. Without JavaScript the form posts itself
 * to the same action and the page shows its answer.
 */
export function CampaignForm({ initial }: { initial: TCampaignFormInput }) {
  const [state, formAction, pending] = useActionState(saveCampaignAction, null);
  const formRef = useRef<HTMLFormElement>(null);
  const form = useForm<TCampaignFormInput, unknown, TCampaignForm>({ resolver: zodResolver(ZCampaignForm), defaultValues: initial });
  const creating = initial.mode === "create";
  const error = (path: string): string | undefined =>
    (get(form.formState.errors, path) as { message?: string } | undefined)?.message ?? (state && !state.ok ? state.fieldErrors[path] : undefined);

  useEffect(() => {
    // A new campaign is then edited at its own address (a full load: the page reads it afresh).
    if (state?.ok && state.data.created) window.location.replace(`/finance/campaigns/edit?slug=${encodeURIComponent(state.data.slug)}`);
  }, [state]);

  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={form.handleSubmit(() => {
        startTransition(() => formAction(new FormData(formRef.current!)));
      })}
      noValidate
      className="admin-form campaign-form"
      aria-labelledby="campaign-form-heading"
      data-testid="campaign-form"
    >
      <h2 id="campaign-form-heading">{creating ? "New campaign" : "Settings"}</h2>
      <input type="hidden" {...form.register("mode")} />
      <Field
        id="campaign-slug"
        label="Slug"
        hint={creating ? "As pages name it (data-campaign): lowercase letters, digits and hyphens." : "Pages name the campaign by it; it cannot change."}
        registration={form.register("slug")}
        error={error("slug")}
        readOnly={!creating}
      />
      <Field id="campaign-name" label="Name" hint="For staff: readers do not see it." registration={form.register("name")} error={error("name")} />

      <fieldset>
        <legend>Goal</legend>
        <p className="hint" id="campaign-goal-hint">
          Optional. While the campaign runs, the picker shows what it has raised toward the goal, in the goal&apos;s currency only.
        </p>
        <Field id="campaign-goal-amount" label="Amount" hint="in major units, like 5000" registration={form.register("goalAmount")} error={error("goalAmount")} />
        <p className="campaign-field">
          <label htmlFor="campaign-goal-currency">Currency</label>
          <br />
          <select
            id="campaign-goal-currency"
            {...form.register("goalCurrency")}
            aria-invalid={error("goalCurrency") ? true : undefined}
            aria-describedby={error("goalCurrency") ? "campaign-goal-currency-error" : undefined}
          >
            <option value="">No goal</option>
            {GIFT_CURRENCIES.map((currency) => (
              <option key={currency} value={currency}>
                {currency.toUpperCase()}
              </option>
            ))}
          </select>
          {error("goalCurrency") && (
            <span id="campaign-goal-currency-error" role="alert" className="field-error">
              {" "}
              {error("goalCurrency")}
            </span>
          )}
        </p>
      </fieldset>

      <fieldset>
        <legend>Dates</legend>
        <p className="hint">Optional, UTC days, both included. The campaign runs while it is switched on and between them.</p>
        <Field id="campaign-starts-on" type="date" label="Starts on" registration={form.register("startsOn")} error={error("startsOn")} />
        <Field id="campaign-ends-on" type="date" label="Ends on" registration={form.register("endsOn")} error={error("endsOn")} />
      </fieldset>

      <h3>Preset amounts</h3>
      <p className="hint">For each frequency and currency: 1 to 6 amounts in major units, separated by commas (like 10, 25, 50), and the suggested one among them.</p>
      {FREQUENCIES.map((frequency) => (
        <fieldset key={frequency} className="campaign-presets">
          <legend>{FREQUENCY_LABEL[frequency]}</legend>
          {GIFT_CURRENCIES.map((currency) => (
            <fieldset key={currency}>
              <legend>{setLabel(frequency, currency)}</legend>
              <Field
                id={`campaign-${frequency}-${currency}-amounts`}
                label="Amounts"
                registration={form.register(`presets.${frequency}.${currency}.amounts`)}
                error={error(`presets.${frequency}.${currency}.amounts`)}
              />
              <Field
                id={`campaign-${frequency}-${currency}-suggested`}
                label="Suggested"
                registration={form.register(`presets.${frequency}.${currency}.suggested`)}
                error={error(`presets.${frequency}.${currency}.suggested`)}
              />
            </fieldset>
          ))}
        </fieldset>
      ))}

      <h3>Copy</h3>
      <p className="hint">Optional: left empty, the picker says its usual headline and appeal in that language.</p>
      {CAMPAIGN_LANGUAGES.map((lang) => (
        <fieldset key={lang} lang="en">
          <legend>{LANGUAGE_NAME[lang]}</legend>
          <Field id={`campaign-copy-${lang}-headline`} label="Headline" hint="at most 80 characters" registration={form.register(`copy.${lang}.headline`)} error={error(`copy.${lang}.headline`)} />
          <Field id={`campaign-copy-${lang}-appeal`} label="Appeal" hint="at most 300 characters" long registration={form.register(`copy.${lang}.appeal`)} error={error(`copy.${lang}.appeal`)} />
        </fieldset>
      ))}

      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : creating ? "Create campaign" : "Save campaign"}
      </button>
      <p role="status" aria-live="polite">
        {state?.ok ? `Saved. The picker shows it from the next page view.` : ""}
      </p>
      {state && !state.ok && (state.formError || Object.keys(state.fieldErrors).length > 0) && (
        <p role="alert" className="form-error">
          {state.formError ?? "Nothing was saved: see the fields marked above."}
        </p>
      )}
    </form>
  );
}
