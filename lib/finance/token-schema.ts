import { z } from "zod";

/** The new-token form: one schema for the browser (zodResolver), the server action and createToken itself. */
export const ZTokenName = z.object({
  name: z.string().trim().min(1, "Give the token a name, like the tool that will use it").max(80, "A name is at most 80 characters"),
});
export type TTokenNameInput = z.input<typeof ZTokenName>;
export type TTokenName = z.output<typeof ZTokenName>;
