"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { startTransition, useActionState, useRef } from "react";
import { useForm } from "react-hook-form";
import type { Messages } from "@/lib/i18n";
import { type TPreferences, type TPreferencesInput, ZPreferences } from "@/lib/supporters/preferences-schema";
import { savePreferencesAction } from "./preferences-actions";

type Props = { initial: TPreferences; m: Messages["accountData"]["preferences"] };

/**
 * Language and which emails: checked in the browser with the server's own schema (react-hook-form),
 * then posted to the server action. Without JavaScript the form posts itself to the same action and
 * the page shows its answer; the fields carry their saved values in the HTML itself (defaultChecked,
 * defaultValue), since react-hook-form sets them only once the script runs.
 */
export function PreferencesForm({ initial, m }: Props) {
  const [state, formAction, pending] = useActionState(savePreferencesAction, null);
  const formRef = useRef<HTMLFormElement>(null);
  const form = useForm<TPreferencesInput, unknown, TPreferences>({ resolver: zodResolver(ZPreferences), defaultValues: initial });
  const fieldError = (name: keyof TPreferences) => form.formState.errors[name]?.message ?? (state && !state.ok ? state.fieldErrors[name] : undefined);
  const localeError = fieldError("locale");

  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={form.handleSubmit(() => {
        startTransition(() => formAction(new FormData(formRef.current!)));
      })}
      noValidate
      aria-labelledby="preferences-heading"
      data-testid="preferences-form"
    >
      <h2 id="preferences-heading">{m.heading}</h2>
      <p>
        <label htmlFor="preferences-locale">{m.language}</label>{" "}
        <select id="preferences-locale" defaultValue={initial.locale} {...form.register("locale")} aria-invalid={localeError ? true : undefined} aria-describedby={localeError ? "preferences-locale-error" : undefined}>
          <option value="en" lang="en">
            {m.languages.en}
          </option>
          <option value="ru" lang="ru">
            {m.languages.ru}
          </option>
        </select>
        {localeError && (
          <span id="preferences-locale-error" role="alert">
            {localeError}
          </span>
        )}
      </p>
      <fieldset>
        <legend>{m.emailsLegend}</legend>
        {(["receipts", "reminders", "statements"] as const).map((name) => (
          <p key={name}>
            <input type="checkbox" id={`preferences-${name}`} value="on" defaultChecked={initial[name]} {...form.register(name)} />{" "}
            <label htmlFor={`preferences-${name}`}>{m[name]}</label>
          </p>
        ))}
        <p>{m.always}</p>
      </fieldset>
      <button type="submit" disabled={pending}>
        {pending ? m.saving : m.save}
      </button>
      <p role="status" aria-live="polite">
        {state?.ok ? m.saved : ""}
      </p>
      {state && !state.ok && state.formError && <p role="alert">{state.formError}</p>}
    </form>
  );
}
