"use client";

import { useActionState } from "react";
import type { ActionState } from "@/lib/actions/action";

type Props = {
  action: (previous: ActionState<null>, formData: FormData) => Promise<ActionState<null>>;
  slug: string;
  active: boolean;
};

/** One row's Switch on / Switch off: a form of its own, whose refusal (if any) is announced beside it. */
export function ActiveToggle({ action, slug, active }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  const error = state && !state.ok ? (state.formError ?? Object.values(state.fieldErrors)[0] ?? null) : null;
  const errorId = `toggle-${slug}-error`;

  return (
    <form action={formAction} className="inline-form" data-testid={`toggle-${slug}`}>
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="active" value={active ? "false" : "true"} />
      <button type="submit" disabled={pending} aria-describedby={error ? errorId : undefined}>
        {active ? "Switch off" : "Switch on"}
        <span className="visually-hidden"> {slug}</span>
      </button>
      {error && (
        <span id={errorId} role="alert" className="field-error">
          {" "}
          {error}
        </span>
      )}
    </form>
  );
}
