"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { startTransition, useActionState, useEffect, useRef } from "react";
import { useForm } from "react-hook-form";
import { type TGrant, type TGrantInput, ZGrant } from "@/lib/staff/schemas";
import { grantRoleAction } from "./actions";

const ROLES = [
  { value: "finance", label: "Finance", hint: "reads and exports the newsroom's money" },
  { value: "admin", label: "Admin", hint: "also manages staff, API tokens and reads the audit log" },
] as const;

/**
 * Grant a role: checked in the browser with the server's own schema (react-hook-form), then posted
 * to the server action, which checks again. Without JavaScript the form posts itself to the same
 * action and the page shows its answer.
 */
export function GrantForm() {
  const [state, formAction, pending] = useActionState(grantRoleAction, null);
  const formRef = useRef<HTMLFormElement>(null);
  const form = useForm<TGrantInput, unknown, TGrant>({ resolver: zodResolver(ZGrant), defaultValues: { email: "", role: "finance" } });
  const fieldError = (name: keyof TGrant) => form.formState.errors[name]?.message ?? (state && !state.ok ? state.fieldErrors[name] : undefined);
  const emailError = fieldError("email");
  const roleError = fieldError("role");
  const { reset } = form;

  useEffect(() => {
    if (state?.ok) reset({ email: "", role: state.data.role });
  }, [state, reset]);

  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={form.handleSubmit(() => {
        startTransition(() => formAction(new FormData(formRef.current!)));
      })}
      noValidate
      className="admin-form"
      aria-labelledby="grant-heading"
      data-testid="grant-form"
    >
      <h2 id="grant-heading">Grant a role</h2>
      <p className="hint" id="grant-hint">
        They sign in with this address, by the emailed link; the role counts from their next page.
      </p>
      <p>
        <label htmlFor="grant-email">Email address</label>{" "}
        <input
          id="grant-email"
          type="email"
          autoComplete="off"
          spellCheck={false}
          {...form.register("email")}
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError ? "grant-hint grant-email-error" : "grant-hint"}
        />
        {emailError && (
          <span id="grant-email-error" role="alert" className="field-error">
            {" "}
            {emailError}
          </span>
        )}
      </p>
      <fieldset aria-describedby={roleError ? "grant-role-error" : undefined}>
        <legend>Role</legend>
        {ROLES.map((role) => (
          <p key={role.value}>
            <input type="radio" id={`grant-role-${role.value}`} value={role.value} defaultChecked={role.value === "finance"} {...form.register("role")} />{" "}
            <label htmlFor={`grant-role-${role.value}`}>
              {role.label}: {role.hint}
            </label>
          </p>
        ))}
        {roleError && (
          <span id="grant-role-error" role="alert" className="field-error">
            {roleError}
          </span>
        )}
      </fieldset>
      <button type="submit" disabled={pending}>
        {pending ? "Granting…" : "Grant"}
      </button>
      <p role="status" aria-live="polite">
        {state?.ok ? `${state.data.email} has the ${state.data.role} role.` : ""}
      </p>
      {state && !state.ok && state.formError && (
        <p role="alert" className="form-error">
          {state.formError}
        </p>
      )}
    </form>
  );
}
