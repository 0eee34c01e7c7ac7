"use client";

import { useActionState } from "react";
import { replayAction } from "./actions";

/**
 * The "Replay selected" button and its answer. The row checkboxes belong to this form through their
 * `form` attribute, so the table stays as the server rendered it; without JavaScript it posts itself.
 */
export function ReplayForm({ id }: { id: string }) {
  const [state, formAction, pending] = useActionState(replayAction, null);
  const error = state && !state.ok ? (state.formError ?? Object.values(state.fieldErrors)[0] ?? null) : null;

  return (
    <form id={id} action={formAction} className="admin-form" data-testid="replay-form" aria-describedby="replay-hint">
      <p className="hint" id="replay-hint">
        Replaying makes the ticked events due again and applies them now. Handlers read Stripe&apos;s current state, so an event applied twice changes nothing
        twice.
      </p>
      <button type="submit" disabled={pending}>
        {pending ? "Replaying…" : "Replay selected"}
      </button>
      <p role="status" aria-live="polite">
        {state?.ok
          ? `${state.data.queued} ${state.data.queued === 1 ? "event" : "events"} queued${state.data.applied ? `; ${state.data.applied.processed} applied, ${state.data.applied.failed} failed again` : ""}.`
          : ""}
      </p>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
    </form>
  );
}
