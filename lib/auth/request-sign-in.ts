import "server-only";
import { z } from "zod";
import { guardCreation } from "@/lib/abuse/guard";
import { AppError } from "@/lib/errors";
import { isLocale, type Locale } from "@/lib/i18n";
import { requestSignInLink } from "./auth-js";
import { normalizeSignInEmail } from "./email-address";
import { safeReturnPath } from "./return-path";

/** The sign-in form, as the page posts it (a form) or its script sends it (JSON). */
export const ZSignInRequest = z.object({
  email: z
    .string({ error: "Enter your email address." })
    .transform((value, ctx) => {
      const email = normalizeSignInEmail(value);
      if (email === null) {
        ctx.addIssue({ code: "custom", message: "Enter a valid email address, like name@example.org." });

        return z.NEVER;
      }

      return email;
    }),
  return: z.unknown().optional().transform(safeReturnPath),
  lang: z.unknown().optional().transform((value): Locale => (isLocale(value) ? value : "en")),
  challenge: z.string().max(1_000).optional().catch(undefined),
});
export type TSignInRequest = z.output<typeof ZSignInRequest>;

/** Where the person goes once asked: the page that says a link is on its way (to a known address). */
export const sentPath = (locale: Locale) => (locale === "en" ? "/sign-in/sent" : `/sign-in/sent?lang=${locale}`);

/**
 * "Email me a sign-in link": checks the address (INVALID_INPUT), counts the request per connection
 * and per inbox (past the soft limit CHALLENGE_REQUIRED, past the hard one RATE_LIMITED), then has
 * Auth.js make the link. The answer is the same whether or not the address belongs to a supporter:
 * who gives is nobody's business (lib/auth/sign-in-email.ts decides whether an email goes).
 */
export async function requestSignIn(fields: Record<string, unknown>, context: { clientAddress: string | null }): Promise<{ next: string; request: TSignInRequest }> {
  const parsed = ZSignInRequest.safeParse(fields);
  if (!parsed.success) {
    throw new AppError("INVALID_INPUT", "Enter a valid email address, like name@example.org.", { fieldErrors: { email: "Enter a valid email address, like name@example.org." } });
  }
  const request = parsed.data;
  const guard = await guardCreation({ scope: "sign_in", clientAddress: context.clientAddress, email: request.email, challenge: request.challenge ?? null });
  if (!guard.ok) throw guard.error;
  await requestSignInLink({ email: request.email, locale: request.lang, returnTo: request.return });

  return { next: sentPath(request.lang), request };
}
