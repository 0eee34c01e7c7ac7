import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { reminders } from "@/db/schema";
import { recordReminderOutcome } from "@/lib/reminders/conversion";
import { settleDueReminders } from "@/lib/reminders/due";
import { reminderStats } from "@/lib/reminders/stats";
import { useTestDatabase } from "../../support/database";
import { DAY_MS, cancelTokenOf, create, daysFromNow, formCancel, reminderRow, useReminderSuite } from "../../support/reminders";

const database = useTestDatabase();
useReminderSuite();

describe(`reminder stats on ${database.kind}`, () => {
  it("counts a cohort by choice, address and outcome, with the conversion rate as two integers", async () => {
    const converted = await create({ email: "converted@example.org", visitorId: "visitor_converted_000001" });
    const sentOnly = await create({ email: "sent.only@example.org", visitorId: "visitor_sent_only_000001", choice: "three_months" });
    const cancelled = await create({ email: "cancelled@example.org", visitorId: "visitor_cancelled_000001" });
    await create({ email: "", visitorId: "visitor_hidden_0000001", choice: "hide" });
    await create({ email: "gave.early@example.org", visitorId: "visitor_gave_early_00001" });
    await create({ email: "", visitorId: "visitor_waiting_000001", choice: "month" });
    await create({ email: "waiting@example.org", visitorId: "visitor_waiting_000002", choice: "three_months" });

    await getDb().transaction((tx) =>
      recordReminderOutcome(tx, { reminderId: null, visitorId: "visitor_gave_early_00001", email: null, checkoutSessionId: "cs_test_early", at: new Date() }),
    );
    // Everything made so far is due in the first run except the two still waiting (pinned later).
    await getDb()
      .update(reminders)
      .set({ dueAt: sql`${reminders.dueAt} + interval '1 year'` })
      .where(sql`${reminders.visitorId} like 'visitor_waiting%'`);
    await settleDueReminders(daysFromNow(95));
    await getDb().transaction((tx) =>
      recordReminderOutcome(tx, { reminderId: converted.id, visitorId: "visitor_converted_000001", email: null, checkoutSessionId: "cs_test_conv", at: new Date() }),
    );
    expect((await formCancel(cancelTokenOf(cancelled.id))).status).toBe(303);
    // Outside the window: not counted.
    const outside = await create({ email: "outside@example.org" });
    await getDb().update(reminders).set({ createdAt: new Date("2020-01-01T00:00:00Z") }).where(eq(reminders.id, outside.id));

    const from = new Date(Date.now() - DAY_MS);
    const to = new Date(Date.now() + DAY_MS);
    const stats = await reminderStats({ from, to });
    expect(stats).toEqual({
      from,
      to,
      created: 7,
      byChoice: { month: 4, threeMonths: 2, hide: 1 },
      withEmail: 5,
      withoutEmail: 2,
      scheduled: 2,
      sent: 3,
      hidden: 1,
      cancelled: 1,
      gaveBeforeDue: 1,
      convertedAfterReminder: 1,
      conversionRate: { numerator: 1, denominator: 3 },
    });
    expect(await reminderRow(sentOnly.id)).toMatchObject({ status: "sent", gaveAt: null });
  });
});
