"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { startTransition, useActionState, useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { type TTokenName, type TTokenNameInput, ZTokenName } from "@/lib/finance/token-schema";
import { createTokenAction } from "./actions";

/**
 * New token: a name (checked in the browser with the server's own schema), then the token itself,
 * shown here once: focus moves to it so it is read out and can be copied at once. Without
 * JavaScript the form posts itself and the page shows the token the same way.
 */
export function CreateTokenForm() {
  const [state, formAction, pending] = useActionState(createTokenAction, null);
  const formRef = useRef<HTMLFormElement>(null);
  const tokenRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const form = useForm<TTokenNameInput, unknown, TTokenName>({ resolver: zodResolver(ZTokenName), defaultValues: { name: "" } });
  const nameError = form.formState.errors.name?.message ?? (state && !state.ok ? state.fieldErrors.name : undefined);
  const created = state?.ok ? state.data : null;
  const { reset } = form;

  useEffect(() => {
    if (!created) return;
    reset({ name: "" });
    tokenRef.current?.focus();
    tokenRef.current?.select();
  }, [created, reset]);

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(created.id);
    } catch {
      // No clipboard (an insecure origin, or refused): the token is selected for a manual copy.
      tokenRef.current?.select();
    }
  };

  return (
    <>
      {created && (
        <section className="new-token" aria-labelledby="new-token-heading" data-testid="new-token">
          <h2 id="new-token-heading">New token: {created.name}</h2>
          <p>
            <label htmlFor="new-token-value">The token</label>
            <input id="new-token-value" ref={tokenRef} readOnly value={created.token} aria-describedby="new-token-hint" spellCheck={false} autoComplete="off" />
          </p>
          <p id="new-token-hint">
            Copy it now into the accounting tool&apos;s settings: it is shown only this once, and we keep only a fingerprint of it. If it is lost, revoke
            it and make another.
          </p>
          <p>
            <button type="button" onClick={copy}>
              Copy the token
            </button>{" "}
            <span role="status">{copied === created.id ? "Copied." : ""}</span>
          </p>
        </section>
      )}
      <form
        ref={formRef}
        action={formAction}
        onSubmit={form.handleSubmit(() => {
          startTransition(() => formAction(new FormData(formRef.current!)));
        })}
        noValidate
        className="admin-form"
        aria-labelledby="create-token-heading"
        data-testid="create-token-form"
      >
        <h2 id="create-token-heading">Make a token</h2>
        <p className="hint" id="token-name-hint">
          For one accounting tool: it can read the finance summary, and nothing else. Name it after the tool.
        </p>
        <p>
          <label htmlFor="token-name">Name</label>{" "}
          <input
            id="token-name"
            autoComplete="off"
            maxLength={80}
            {...form.register("name")}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? "token-name-hint token-name-error" : "token-name-hint"}
          />
          {nameError && (
            <span id="token-name-error" role="alert" className="field-error">
              {" "}
              {nameError}
            </span>
          )}
        </p>
        <button type="submit" disabled={pending}>
          {pending ? "Making…" : "Make the token"}
        </button>
        {state && !state.ok && state.formError && (
          <p role="alert" className="form-error">
            {state.formError}
          </p>
        )}
      </form>
    </>
  );
}
