import type { z } from "zod";
import { AppError } from "@/lib/errors";
import { fieldErrors } from "@/lib/validation";
import { describeError, log, newRequestId, withRequestId } from "@/lib/log";

/**
 * What a server action answers a form with: its result, or what to show. Field errors sit beside
 * their fields; a form error above the form. Never a stack trace or a message we did not write.
 */
export type ActionState<T> =
  | { ok: true; data: T }
  | { ok: false; fieldErrors: Record<string, string>; formError: string | null; code: string }
  | null;

/** Who may run an action: returns the context the action runs with, or throws an AppError (401/403). */
export type Authorize<C> = () => Promise<C>;

type ActionOptions<S extends z.ZodType, C, T> = {
  /** The form's one schema, shared with the browser's react-hook-form resolver. */
  schema: S;
  /** Checked on every call, before the input is read: the data layer checks again. */
  authorize: Authorize<C>;
  run: (input: z.output<S>, context: C) => Promise<T>;
  /** For the log line of a failure: what the action is. */
  name: string;
};

/**
 * A server action as a form calls it (`useActionState`, or a plain form post without JavaScript):
 * authorise, parse the form with the shared zod schema, run, and turn what can go wrong into an
 * ActionState. An AppError we raised is shown as written (a 4xx's message names the problem); any
 * other error is logged without its details reaching the reader.
 */
export function action<S extends z.ZodType, C, T>(options: ActionOptions<S, C, T>) {
  // Each call under a request id of its own, as a route handler's (lib/http.ts traced).
  return async (previous: ActionState<T>, formData: FormData): Promise<ActionState<T>> => withRequestId(newRequestId(), () => runAction(options, previous, formData));
}

async function runAction<S extends z.ZodType, C, T>(options: ActionOptions<S, C, T>, _previous: ActionState<T>, formData: FormData): Promise<ActionState<T>> {
  try {
    const context = await options.authorize();
    const parsed = options.schema.safeParse(formDataToObject(formData));
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      const { form: formError = null, ...fields } = errors;

      return { ok: false, fieldErrors: fields, formError: formError ?? (Object.keys(fields).length === 0 ? "The form could not be read." : null), code: "INVALID_INPUT" };
    }

    return { ok: true, data: await options.run(parsed.data, context) };
  } catch (error) {
    if (error instanceof AppError) {
      return { ok: false, fieldErrors: error.details.fieldErrors ?? {}, formError: error.details.fieldErrors ? null : error.message, code: error.code };
    }
    // Next signals redirect() and notFound() by throwing: they are not failures.
    if (isNextControlFlow(error)) throw error;
    log.error("action failed", { action: options.name, error: describeError(error) });

    return { ok: false, fieldErrors: {}, formError: "Something went wrong on our side. Nothing was changed; please try again.", code: "INTERNAL" };
  }
}

/** An action anyone may run (rate limits, if any, are the action's own). */
export const publicAccess: Authorize<null> = async () => null;

/**
 * A form's fields as an object for zod: repeated names become arrays, files are left out (no
 * action here takes one), and checkboxes arrive as "on" or not at all, as a browser sends them.
 */
export function formDataToObject(formData: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of formData.entries()) {
    if (typeof value !== "string" || key.startsWith("$ACTION")) continue;
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }

  return out;
}

function isNextControlFlow(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;

  return typeof digest === "string" && (digest.startsWith("NEXT_REDIRECT") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK") || digest === "NEXT_NOT_FOUND");
}
