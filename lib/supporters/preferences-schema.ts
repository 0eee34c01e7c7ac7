import { z } from "zod";
import { LOCALES } from "@/lib/i18n/locales";

/**
 * A checkbox as each side sends it: react-hook-form gives a boolean, a browser's plain form post
 * sends "on" when ticked and nothing at all when not.
 */
const checkbox = z
  .union([z.boolean(), z.enum(["on", "true", "false"])])
  .optional()
  .transform((value) => value === true || value === "on" || value === "true");

/** The account's preferences form: one schema for the browser (zodResolver) and the server action. */
export const ZPreferences = z.object({
  locale: z.enum(LOCALES, { error: "Choose English or Russian." }),
  receipts: checkbox,
  reminders: checkbox,
  statements: checkbox,
});

export type TPreferencesInput = z.input<typeof ZPreferences>;
export type TPreferences = z.output<typeof ZPreferences>;
