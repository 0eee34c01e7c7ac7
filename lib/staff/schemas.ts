import { z } from "zod";

/** The grant form: one schema for the browser (zodResolver), the server action and grantRole itself. */
export const ZGrant = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, "An address is at most 254 characters")
    .regex(/^[^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+$/, "Enter an email address, like name@example.org"),
  role: z.enum(["finance", "admin"], { error: 'The role is "finance" or "admin"' }),
});
export type TGrantInput = z.input<typeof ZGrant>;
export type TGrant = z.output<typeof ZGrant>;
