"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import type { ActionState } from "@/lib/actions/action";

type Props = {
  action: (previous: ActionState<null>, formData: FormData) => Promise<ActionState<null>>;
  /** The hidden fields that say what to revoke. */
  fields: Record<string, string>;
  /** Unique on the page: names the error beside the button. */
  id: string;
  /** What the button revokes, for a screen reader ("the finance role of ana@example.org"). */
  what: string;
  /** A question to confirm first, for what cannot be undone. Without JavaScript the form posts at once. */
  confirm?: string;
};

/** One row's Revoke: a form of its own, whose refusal (if any) is announced beside it. */
export function RevokeButton({ action, fields, id, what, confirm }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const error = state && !state.ok ? (state.formError ?? Object.values(state.fieldErrors)[0] ?? null) : null;
  const errorId = `${id}-error`;

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  // An answer ends the question (a refusal is then shown beside the first button again).
  useEffect(() => setConfirming(false), [state]);

  return (
    <form action={formAction} className="inline-form" data-testid={id}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {confirm && confirming ? (
        <>
          <span id={`${id}-question`}>{confirm}</span>{" "}
          <button type="submit" ref={confirmRef} disabled={pending} aria-describedby={`${id}-question`}>
            Yes, revoke<span className="visually-hidden"> {what}</span>
          </button>{" "}
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </>
      ) : (
        <button
          type="submit"
          disabled={pending}
          aria-describedby={error ? errorId : undefined}
          onClick={(event) => {
            if (!confirm) return;
            event.preventDefault();
            setConfirming(true);
          }}
        >
          {pending ? "Revoking…" : "Revoke"}
          <span className="visually-hidden"> {what}</span>
        </button>
      )}
      {error && (
        <span id={errorId} role="alert" className="form-error">
          {" "}
          {error}
        </span>
      )}
    </form>
  );
}
