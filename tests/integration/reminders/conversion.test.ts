import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { rateLimits, reminders } from "@/db/schema";
import { recordReminderOutcome } from "@/lib/reminders/conversion";
import { settleDueReminders } from "@/lib/reminders/due";
import { useTestDatabase } from "../../support/database";
import { DAY_MS, VISITOR, create, daysFromNow, outbox, reminderRow, reminderRows, useReminderSuite } from "../../support/reminders";

const database = useTestDatabase();
useReminderSuite();

describe(`a gift and its reminders on ${database.kind}`, () => {
  it("fills in the Checkout Session of a reminder the due run closed, when the gift itself is recorded", async () => {
    const reminder = await create({ email: "", visitorId: "visitor_due_then_gift_01" });
    const at = new Date(Date.now() + 60_000);
    // The due run saw the gift first (by its address), knowing when but not which session.
    await getDb().update(reminders).set({ status: "gave", gaveAt: at }).where(eq(reminders.id, reminder.id));
    await getDb().transaction((tx) =>
      recordReminderOutcome(tx, { reminderId: null, visitorId: "visitor_due_then_gift_01", email: null, checkoutSessionId: "cs_test_same_instant", at }),
    );
    expect(await reminderRow(reminder.id)).toMatchObject({ status: "gave", gaveCheckoutSessionId: "cs_test_same_instant", gaveAt: at });
  });

  it("ends the same whichever of two gifts is recorded first: the one through the link wins", async () => {
    const finals: unknown[] = [];
    const later = Date.now() + 60_000;
    for (const order of ["link-first", "visitor-first"] as const) {
      await getDb().execute(sql`truncate ${reminders}, ${rateLimits} cascade`);
      const reminder = await create({ email: "", visitorId: "visitor_two_gifts_000001" });
      const viaLink = { reminderId: reminder.id, visitorId: "visitor_two_gifts_000001", email: null, checkoutSessionId: "cs_test_link", at: new Date(later + 2000) };
      const sameVisitor = { reminderId: null, visitorId: "visitor_two_gifts_000001", email: null, checkoutSessionId: "cs_test_visitor", at: new Date(later + 1000) };
      const outcomes = order === "link-first" ? [viaLink, sameVisitor, viaLink] : [sameVisitor, viaLink, sameVisitor];
      for (const outcome of outcomes) await getDb().transaction((tx) => recordReminderOutcome(tx, outcome));
      const row = await reminderRow(reminder.id);
      finals.push({ status: row.status, session: row.gaveCheckoutSessionId, viaLink: row.gaveViaLink, at: row.gaveAt?.getTime() });
    }
    expect(finals[0]).toEqual(finals[1]);
    expect(finals[0]).toMatchObject({ status: "gave", session: "cs_test_link", viaLink: true });
  });

  it("records a gift against its reminder and the reader's other reminders, once", async () => {
    const other = "visitor_other_0123456789";
    const sameVisitor = await create({ email: "first@example.org" });
    const sameAddress = await create({ visitorId: other, email: "Reader@Example.org" });
    const sameVisitorNoEmail = await create({ choice: "hide", email: "" });
    const someoneElse = await create({ visitorId: other, email: "someone.else@example.org" });
    const reminded = await create({ visitorId: "visitor_reminded_0123456789", email: "reminded@example.org" });
    await getDb().update(reminders).set({ status: "sent", sentAt: new Date(), email: null }).where(eq(reminders.id, reminded.id));

    const at = new Date(Date.now() + 1000);
    const outcome = { reminderId: reminded.id, visitorId: VISITOR, email: "READER@example.org", checkoutSessionId: "cs_test_converted", at };
    await getDb().transaction((tx) => recordReminderOutcome(tx, outcome));
    const once = await reminderRows();
    for (const id of [sameVisitor.id, sameAddress.id, sameVisitorNoEmail.id]) {
      expect(await reminderRow(id)).toMatchObject({ status: "gave", gaveAt: at, email: null, gaveCheckoutSessionId: "cs_test_converted" });
    }
    expect(await reminderRow(someoneElse.id)).toMatchObject({ status: "scheduled", gaveAt: null, email: "someone.else@example.org" });
    // Reminded, then gave: it stays sent, and is converted.
    expect(await reminderRow(reminded.id)).toMatchObject({ status: "sent", gaveAt: at, gaveCheckoutSessionId: "cs_test_converted" });

    // Applied again (a redelivered webhook), or a second gift through the same link: nothing more changes.
    await getDb().transaction((tx) => recordReminderOutcome(tx, outcome));
    await getDb().transaction((tx) => recordReminderOutcome(tx, { ...outcome, checkoutSessionId: "cs_test_second", at: new Date(Date.now() + 5000) }));
    expect(await reminderRows()).toEqual(once);

    // A scheduled reminder named by the gift becomes `gave`; ids we cannot use change nothing and throw nothing.
    await getDb().transaction((tx) =>
      recordReminderOutcome(tx, { reminderId: someoneElse.id, visitorId: null, email: null, checkoutSessionId: "cs_test_named", at: new Date() }),
    );
    expect(await reminderRow(someoneElse.id)).toMatchObject({ status: "gave", email: null, gaveCheckoutSessionId: "cs_test_named" });
    const settled = await reminderRows();
    await getDb().transaction((tx) => recordReminderOutcome(tx, { reminderId: "not-a-uuid", visitorId: "bad id", email: "", checkoutSessionId: "cs_test_x", at: new Date() }));
    expect(await reminderRows()).toEqual(settled);

    // None of them is sent when its date comes.
    expect(await settleDueReminders(daysFromNow(100))).toEqual({ sent: 0, hidden: 0, gave: 0, failed: 0 });
    expect(await outbox()).toHaveLength(0);
  });

  it("does not let a gift recorded late overtake a reminder asked for after it", async () => {
    const { id } = await create();
    await getDb().transaction((tx) =>
      recordReminderOutcome(tx, { reminderId: null, visitorId: VISITOR, email: null, checkoutSessionId: "cs_test_old", at: new Date(Date.now() - DAY_MS) }),
    );
    expect((await reminderRow(id)).status).toBe("scheduled");
  });
});
