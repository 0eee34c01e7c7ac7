import type { z } from "zod";

/** Field-level messages for a failed parse: `{ amount: "Enter at least €1.00" }`. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.join(".") : "form";
    out[key] ??= issue.message;
  }

  return out;
}
