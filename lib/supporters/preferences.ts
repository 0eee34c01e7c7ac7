import { eq, sql } from "drizzle-orm";
import { getDb, type Queryable } from "@/db";
import { supporters } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { localeFrom } from "@/lib/i18n";
import { type Actor, supporterIdOf } from "./actor";
import type { TPreferences } from "./preferences-schema";

/**
 * The signed-in supporter's language and which emails they want, or null for anyone else (and for
 * an address that has never given: there is no supporter to hold them yet).
 */
export async function preferencesOf(actor: Actor, db: Queryable = getDb()): Promise<TPreferences | null> {
  const supporterId = await supporterIdOf(actor, db);
  if (!supporterId) return null;
  const [row] = await db
    .select({ locale: supporters.locale, receipts: supporters.wantsReceipts, reminders: supporters.wantsReminders, statements: supporters.wantsStatements })
    .from(supporters)
    .where(eq(supporters.id, supporterId));
  if (!row) return null;

  return { ...row, locale: localeFrom(row.locale) ?? "en" };
}

/**
 * Saves them. Emails already queued are not recalled (a receipt for a payment made a moment ago
 * goes); everything queued from now on follows the new choice (lib/email/outbox.ts). The emails that
 * tell of a change to the supporter's money are not a preference: they always go.
 */
export async function savePreferences(actor: Actor, input: TPreferences, db: Queryable = getDb()): Promise<TPreferences> {
  const supporterId = await supporterIdOf(actor, db);
  if (!supporterId) throw new AppError("NOT_FOUND", "We have no gifts from this address yet, so there is nothing to set.");
  await db
    .update(supporters)
    .set({
      locale: input.locale,
      wantsReceipts: input.receipts,
      wantsReminders: input.reminders,
      wantsStatements: input.statements,
      updatedAt: sql`now()`,
    })
    .where(eq(supporters.id, supporterId));

  return input;
}
