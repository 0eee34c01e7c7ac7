"use client";

import { useActionState } from "react";
import { repairAction } from "./actions";

/** The period's "Repair" button and its answer (announced); without JavaScript the form posts itself. */
export function RepairForm({ from, to }: { from: string; to: string }) {
  const [state, formAction, pending] = useActionState(repairAction, null);
  const error = state && !state.ok ? (state.formError ?? Object.values(state.fieldErrors)[0] ?? null) : null;

  return (
    <form action={formAction} className="admin-form" data-testid="repair-form" aria-describedby="repair-hint">
      <input type="hidden" name="from" value={from} />
      <input type="hidden" name="to" value={to} />
      <p className="hint" id="repair-hint">
        Repair stores Stripe&apos;s own events about these objects in the inbox, as if delivered, and applies them; a payment&apos;s fee and net are written
        from its balance transaction. Running it again changes nothing.
      </p>
      <button type="submit" disabled={pending}>
        {pending ? "Repairing…" : "Repair"}
      </button>
      <p role="status" aria-live="polite">
        {state?.ok
          ? `${state.data.events} events applied (${state.data.failed} failed), ${state.data.corrected} fees corrected; ${state.data.left === 0 ? "the ledger now agrees with Stripe" : `${state.data.left} still differ: reload to see them`}.`
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
