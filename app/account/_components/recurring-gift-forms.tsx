"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { type ReactNode, startTransition, useActionState, useId, useRef } from "react";
import { useForm } from "react-hook-form";
import type { ActionState } from "@/lib/actions/action";
import type { Messages } from "@/lib/i18n";
import { amountProblem } from "@/lib/gifts/amount-problem";
import type { GiftCurrency } from "@/lib/money";
import { CANCEL_FEEDBACK } from "@/lib/supporters/recurring-gift-rules";
import { type TCancelGift, type TCancelGiftInput, type TChangeGift, type TChangeGiftInput, ZCancelGift, ZChangeGift } from "@/lib/supporters/recurring-gift-schemas";

/**
 * The recurring gift's forms. Each is a plain <form> posting to its server action, so it works
 * without JavaScript (the page comes back with the request pending, or with the error); with
 * JavaScript the forms of more than one field check themselves first with the same zod schema
 * (react-hook-form), and errors are announced.
 */

type ServerAction = (previous: ActionState<never>, formData: FormData) => Promise<ActionState<never>>;
type M = Messages["manage"];

/** What every form of a gift carries: which gift, the attempt (for the idempotency key), and who asks. */
export type GiftFormContext = { recurringGiftId: string; attemptId: string; token: string | null; lang: string };

function Hidden({ context }: { context: GiftFormContext }) {
  return (
    <>
      <input type="hidden" name="recurringGiftId" value={context.recurringGiftId} />
      <input type="hidden" name="attemptId" value={context.attemptId} />
      {context.token && <input type="hidden" name="token" value={context.token} />}
      <input type="hidden" name="lang" value={context.lang} />
    </>
  );
}

/**
 * What went wrong, in the page's language where we know the kind of failure (the data layer's
 * messages are English); a field's own message otherwise.
 */
function FormError({ state, id, m }: { state: ActionState<never>; id: string; m: M }) {
  if (!state || state.ok) return null;
  const known = (m.errors as Record<string, string>)[state.code];
  const messages = [known ?? state.formError, ...Object.values(state.fieldErrors)].filter((text): text is string => Boolean(text));
  if (messages.length === 0) return null;

  return (
    <p className="error" role="alert" id={id}>
      {messages.join(" ")}
    </p>
  );
}

/** One button (and any fields of one value): resume, undo, update the card, pause, an offer. */
export function GiftActionForm(props: { action: ServerAction; context: GiftFormContext; m: M; submit: string; hint?: string; children?: ReactNode; secondary?: boolean }) {
  const [state, formAction, pending] = useActionState(props.action, null);
  const errorId = useId();
  const hintId = useId();

  return (
    <form action={formAction} className="gift-form" aria-describedby={state && !state.ok ? errorId : undefined}>
      <Hidden context={props.context} />
      {props.children}
      {props.hint && (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <button type="submit" className={props.secondary ? "secondary" : undefined} aria-describedby={props.hint ? hintId : undefined} disabled={pending}>
        {props.submit}
      </button>
      <FormError state={state} id={errorId} m={props.m} />
    </form>
  );
}

/** Pause for one, two or three months: one field, a plain form. */
export function PauseForm({ action, context, m }: { action: ServerAction; context: GiftFormContext; m: M }) {
  const id = useId();

  return (
    <GiftActionForm action={action} context={context} m={m} submit={m.pause.submit} hint={m.pause.hint}>
      <label htmlFor={id}>{m.pause.months}</label>{" "}
      <select id={id} name="months" defaultValue="1">
        {(["1", "2", "3"] as const).map((months) => (
          <option key={months} value={months}>
            {m.pause.monthOptions[months]}
          </option>
        ))}
      </select>
    </GiftActionForm>
  );
}

/** A new amount and/or frequency. */
export function ChangeGiftForm(props: {
  action: ServerAction;
  context: GiftFormContext;
  m: M;
  currency: GiftCurrency;
  amount: string;
  frequency: "monthly" | "annual";
  /** The picker's own words for a bad amount, in the page's language (the schema's are English). */
  amountText: Messages["picker"]["amount"];
  locale: string;
}) {
  const { m, context } = props;
  const [state, formAction, pending] = useActionState(props.action, null);
  const formRef = useRef<HTMLFormElement>(null);
  const ids = { amount: useId(), amountError: useId(), hint: useId(), error: useId() };
  const form = useForm<TChangeGiftInput, unknown, TChangeGift>({
    resolver: zodResolver(ZChangeGift),
    defaultValues: { recurringGiftId: context.recurringGiftId, attemptId: context.attemptId, currency: props.currency, amount: props.amount, frequency: props.frequency },
  });
  const amountError =
    (form.formState.errors.amount ? amountProblem(form.getValues("amount") ?? "", props.currency, props.locale, props.amountText) : null) ??
    form.formState.errors.amount?.message ??
    (state && !state.ok ? state.fieldErrors.amount : undefined);
  const onSubmit = form.handleSubmit(() => {
    startTransition(() => formAction(new FormData(formRef.current!)));
  });

  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="gift-form" noValidate>
      <Hidden context={context} />
      {/* Values drawn into the markup too (react-hook-form sets its own only once hydrated), so a post without JavaScript carries them. */}
      <input type="hidden" name="currency" value={props.currency} />
      <p>
        <label htmlFor={ids.amount}>{m.change.amount.replace("{currency}", props.currency.toUpperCase())}</label>
        <input
          id={ids.amount}
          inputMode="decimal"
          autoComplete="off"
          aria-invalid={amountError ? true : undefined}
          aria-describedby={`${ids.hint}${amountError ? ` ${ids.amountError}` : ""}`}
          defaultValue={props.amount}
          {...form.register("amount")}
        />
      </p>
      {amountError && (
        <p className="error" id={ids.amountError} role="alert">
          {amountError}
        </p>
      )}
      <fieldset>
        <legend>{m.change.frequency}</legend>
        {(["monthly", "annual"] as const).map((frequency) => (
          <label key={frequency} className="choice">
            <input type="radio" value={frequency} defaultChecked={frequency === props.frequency} {...form.register("frequency")} /> {m.change.frequencies[frequency]}
          </label>
        ))}
      </fieldset>
      <p className="hint" id={ids.hint}>
        {m.change.amountHint}
      </p>
      <button type="submit" disabled={pending}>
        {m.change.submit}
      </button>
      {state && !state.ok && !state.fieldErrors.amount && <FormError state={state} id={ids.error} m={m} />}
    </form>
  );
}

/** Cancel at the period end, with an optional reason and comment: one press without either. */
/** `endsOn` null with `now`: a gift whose payment failed ends at once (nothing was paid for the period). */
export function CancelGiftForm({ action, context, m, endsOn, now = false }: { action: ServerAction; context: GiftFormContext; m: M; endsOn: string | null; now?: boolean }) {
  const [state, formAction, pending] = useActionState(action, null);
  const formRef = useRef<HTMLFormElement>(null);
  const ids = { reason: useId(), comment: useId(), ends: useId(), error: useId(), commentError: useId() };
  const form = useForm<TCancelGiftInput, unknown, TCancelGift>({
    resolver: zodResolver(ZCancelGift),
    defaultValues: { recurringGiftId: context.recurringGiftId, attemptId: context.attemptId, feedback: "", comment: "" },
  });
  const commentError = form.formState.errors.comment?.message;
  const onSubmit = form.handleSubmit(() => {
    startTransition(() => formAction(new FormData(formRef.current!)));
  });

  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="gift-form" noValidate>
      <Hidden context={context} />
      {now ? <p id={ids.ends}>{m.cancel.endsNow}</p> : endsOn && <p id={ids.ends}>{m.cancel.ends.replace("{date}", endsOn)}</p>}
      <p>
        <label htmlFor={ids.reason}>{m.cancel.reason}</label>
        <select id={ids.reason} {...form.register("feedback")}>
          <option value="">{m.cancel.reasonNone}</option>
          {CANCEL_FEEDBACK.map((reason) => (
            <option key={reason} value={reason}>
              {m.cancel.reasons[reason]}
            </option>
          ))}
        </select>
      </p>
      <p>
        <label htmlFor={ids.comment}>{m.cancel.comment}</label>
        <textarea
          id={ids.comment}
          rows={3}
          maxLength={500}
          aria-invalid={commentError ? true : undefined}
          aria-describedby={commentError ? ids.commentError : undefined}
          {...form.register("comment")}
        />
      </p>
      {commentError && (
        <p className="error" id={ids.commentError} role="alert">
          {commentError}
        </p>
      )}
      <button type="submit" disabled={pending} aria-describedby={now || endsOn ? ids.ends : undefined}>
        {m.cancel.submit}
      </button>
      <FormError state={state} id={ids.error} m={m} />
    </form>
  );
}
