import { bigint, boolean, uuid } from "drizzle-orm/pg-core";

/** What the reader chose besides the amount, kept on one-time and recurring gifts alike. */
export const giftOptions = {
  // Part of the amount the reader added to cover the processing fee (0 when they did not).
  feeCoveredMinor: bigint({ mode: "number" }).notNull().default(0),
  // Given discreetly: a neutral card descriptor, no email unless asked, no address kept by us.
  discreet: boolean().notNull().default(false),
  // The reminder that brought the reader back, when there was one.
  reminderId: uuid(),
};
