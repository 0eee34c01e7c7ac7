import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { supporters } from "@/db/schema";
import { formDataToObject } from "@/lib/actions/action";
import { AppError } from "@/lib/errors";
import { nobody } from "@/lib/supporters/actor";
import { preferencesOf, savePreferences } from "@/lib/supporters/preferences";
import { ZPreferences } from "@/lib/supporters/preferences-schema";
import { signedIn } from "../../support/actors";
import { useTestDatabase } from "../../support/database";

const database = useTestDatabase();

const plainPost = (fields: Array<[string, string]>) => {
  const form = new FormData();
  for (const [key, value] of fields) form.append(key, value);

  return ZPreferences.parse(formDataToObject(form));
};

describe(`preferences on ${database.kind}`, () => {
  it("are the signed-in supporter's own to read and change; nobody and strangers change nothing", async () => {
    await getDb().insert(supporters).values([{ email: "prefs-owner@example.org", locale: "en" }, { email: "prefs-other@example.org", locale: "en" }]);
    const owner = await signedIn("prefs-owner@example.org");
    const other = await signedIn("prefs-other@example.org");
    expect(await preferencesOf(owner)).toEqual({ locale: "en", receipts: true, reminders: true, statements: true });

    // As a browser without JavaScript posts it: an unticked box is simply absent.
    const input = plainPost([
      ["locale", "ru"],
      ["reminders", "on"],
    ]);
    expect(input).toEqual({ locale: "ru", receipts: false, reminders: true, statements: false });
    await savePreferences(owner, input);
    expect(await preferencesOf(owner)).toEqual(input);
    const [row] = await getDb().select().from(supporters).where(eq(supporters.email, "prefs-owner@example.org"));
    expect(row).toMatchObject({ locale: "ru", wantsReceipts: false, wantsReminders: true, wantsStatements: false });
    // The other supporter's are untouched.
    expect(await preferencesOf(other)).toEqual({ locale: "en", receipts: true, reminders: true, statements: true });

    await expect(savePreferences(nobody, input)).rejects.toThrow(AppError);
    await expect(savePreferences({ kind: "manage_link", recurringGiftId: crypto.randomUUID() }, input)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(savePreferences(await signedIn("never-gave@example.org"), input)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await preferencesOf(nobody)).toBeNull();
    expect(ZPreferences.safeParse({ locale: "de" }).success).toBe(false);
    // react-hook-form sends booleans; the same schema takes them.
    expect(ZPreferences.parse({ locale: "en", receipts: true, reminders: false, statements: true })).toEqual({ locale: "en", receipts: true, reminders: false, statements: true });
  });
});
