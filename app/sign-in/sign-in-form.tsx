"use client";

import { type FormEvent, useRef, useState } from "react";
import { solveChallenge } from "@/lib/abuse/solve-challenge";
import "./auth.css";

export type SignInFormText = {
  emailLabel: string;
  emailHint: string;
  submit: string;
  sending: string;
  checking: string;
  errors: { email: string; limited: string; failed: string; network: string };
};

type Answer = { next?: string; error?: { code?: string; challenge?: unknown } };

/**
 * The address field and its button. A plain form post to /api/auth/sign-in without JavaScript (the
 * route answers with the next page); with it, the same request as JSON, so that past the soft limit
 * the browser can solve the proof of work and send it again, which a plain form cannot.
 */
export function SignInForm({ text, locale, returnTo, initialError }: { text: SignInFormText; locale: string; returnTo: string; initialError: keyof SignInFormText["errors"] | null }) {
  const [error, setError] = useState<keyof SignInFormText["errors"] | null>(initialError);
  const [status, setStatus] = useState<"idle" | "sending" | "checking">("idle");
  const emailRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = emailRef.current?.value ?? "";
    setError(null);
    setStatus("sending");
    const send = async (challenge?: string | null) => {
      const response = await fetch("/api/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, return: returnTo, lang: locale, ...(challenge ? { challenge } : {}) }),
      });

      return { response, json: (await response.json().catch(() => ({}))) as Answer };
    };
    try {
      let answer = await send();
      if (answer.response.status === 428 && answer.json.error?.challenge) {
        setStatus("checking");
        answer = await send(await solveChallenge(answer.json.error.challenge as never));
      }
      if (answer.response.ok && answer.json.next) {
        window.location.assign(answer.json.next);

        return;
      }
      const code = answer.json.error?.code;
      setError(code === "INVALID_INPUT" ? "email" : code === "RATE_LIMITED" || code === "CHALLENGE_REQUIRED" ? "limited" : "failed");
      if (code === "INVALID_INPUT") emailRef.current?.focus();
    } catch {
      setError("network");
    }
    setStatus("idle");
  }

  const fieldError = error === "email";

  return (
    <form className="auth-form" method="post" action="/api/auth/sign-in" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="lang" value={locale} />
      <input type="hidden" name="return" value={returnTo} />
      <label htmlFor="sign-in-email">{text.emailLabel}</label>
      <p className="hint" id="sign-in-email-hint">
        {text.emailHint}
      </p>
      <input
        ref={emailRef}
        id="sign-in-email"
        name="email"
        type="email"
        autoComplete="email"
        required
        aria-invalid={fieldError}
        aria-describedby={fieldError ? "sign-in-email-hint sign-in-email-error" : "sign-in-email-hint"}
      />
      {fieldError && (
        <p className="field-error" id="sign-in-email-error" role="alert">
          {text.errors.email}
        </p>
      )}
      {error !== null && !fieldError && (
        <p className="auth-error" role="alert">
          {text.errors[error]}
        </p>
      )}
      {/* Announced as it changes: the check can take a second or two. */}
      <p className="hint" role="status">
        {status === "checking" ? text.checking : status === "sending" ? text.sending : ""}
      </p>
      <button type="submit" className="auth-button" disabled={status !== "idle"}>
        {text.submit}
      </button>
    </form>
  );
}
