"use client";

import { useActionState } from "react";
import type { Locale, Messages } from "@/lib/i18n";
import { eraseAction } from "../erase/actions";

type Props = { m: Messages["accountData"]["data"]; locale: Locale; activeRecurringGifts: number; activeText: string };

/**
 * Erase my data: the warning first, then the word typed to confirm, so it cannot happen by one
 * stray press. One field, so a plain form; it works without JavaScript the same way.
 */
export function EraseForm({ m, locale, activeRecurringGifts, activeText }: Props) {
  const [state, formAction, pending] = useActionState(eraseAction, null);
  const error = state && !state.ok ? (state.fieldErrors.confirm ? m.confirmMismatch : state.formError) : null;

  return (
    <form action={formAction} aria-labelledby="erase-heading" data-testid="erase-form">
      <h3 id="erase-heading">{m.eraseHeading}</h3>
      <p className="notice" id="erase-warning">
        {m.eraseWarning}
      </p>
      {activeRecurringGifts > 0 && <p>{activeText}</p>}
      <input type="hidden" name="lang" value={locale} />
      <p>
        <label htmlFor="erase-confirm">{m.confirmLabel}</label>{" "}
        <input
          id="erase-confirm"
          name="confirm"
          autoComplete="off"
          required
          aria-describedby={error ? "erase-warning erase-error" : "erase-warning"}
          aria-invalid={error ? true : undefined}
        />
      </p>
      {error && (
        <p id="erase-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {pending ? m.erasing : m.erase}
      </button>
    </form>
  );
}
