import { z } from "zod";
import { normalizeSignInEmail } from "@/lib/auth/email-address";

/** The grant form: one schema for the browser (zodResolver), the server action and grantRole itself. */
export const ZGrant = z.object({
  // The address as sign-in keeps it (normalised, lower-cased), so the role is found for the person who signs in with it.
  email: z
    .string()
    .max(254, "An address is at most 254 characters")
    .transform((value, ctx) => {
      const address = normalizeSignInEmail(value);
      if (address === null) {
        ctx.addIssue({ code: "custom", message: "Enter an email address, like name@example.org" });

        return z.NEVER;
      }

      return address;
    }),
  role: z.enum(["finance", "admin"], { error: 'The role is "finance" or "admin"' }),
});
export type TGrantInput = z.input<typeof ZGrant>;
export type TGrant = z.output<typeof ZGrant>;
