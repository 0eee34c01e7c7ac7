import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { gifts, recurringGifts, supporters } from "@/db/schema";
import { ERASED_ADDRESS } from "@/lib/email/outbox";
import { sendDueEmails } from "@/lib/email/sender";
import { smtpTransport } from "@/lib/email/transport";
import { runScheduledWork } from "@/lib/scheduled/run";
import { settleDueReminders } from "@/lib/reminders/due";
import { reminderLinks } from "@/lib/reminders/links";
import { readReminderForPicker } from "@/lib/reminders/reopen";
import { useTestDatabase } from "../../support/database";
import { DAY_MS, type SmtpServer, cancelTokenOf, create, daysFromNow, outbox, reminderRow, reminderRows, tokenIn, useReminderSuite } from "../../support/reminders";

const database = useTestDatabase();

let smtp: SmtpServer;
useReminderSuite((server) => (smtp = server));

const sendViaSmtp = () => sendDueEmails({ transport: smtpTransport(smtp.url()) });

async function insertSupporterGift(email: string, givenAt: Date) {
  const [supporter] = await getDb().insert(supporters).values({ email }).onConflictDoNothing().returning({ id: supporters.id });
  const supporterId = supporter?.id ?? (await getDb().select().from(supporters).where(eq(supporters.email, email)))[0]!.id;
  await getDb()
    .insert(gifts)
    .values({ supporterId, stripeCheckoutSessionId: `cs_test_${crypto.randomUUID()}`, frequency: "once", amountMinor: 2500, currency: "eur", livemode: "test", givenAt });

  return supporterId;
}

describe(`due reminders on ${database.kind}`, () => {
  it("sends a due reminder over SMTP; its link reopens the picker exactly as left; the address is erased", async () => {
    const { id } = await create({ email: "Reminded.Reader@Example.org" });
    // Not yet due: nothing happens.
    expect(await settleDueReminders()).toEqual({ sent: 0, hidden: 0, gave: 0, failed: 0 });
    expect(await outbox()).toHaveLength(0);

    const dueRun = daysFromNow(32);
    expect(await settleDueReminders(dueRun)).toEqual({ sent: 1, hidden: 0, gave: 0, failed: 0 });
    const row = await reminderRow(id);
    expect(row).toMatchObject({ status: "sent", email: null });
    expect(row.sentAt?.getTime()).toBe(dueRun.getTime());
    const [queued] = await outbox();
    expect(queued).toMatchObject({ template: "reminder", idempotencyKey: `reminder:${id}`, toAddress: "reminded.reader@example.org", status: "pending", supporterId: null });

    expect(await sendViaSmtp()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(["reminded.reader@example.org"]);
    expect(mail.language).toBe("en");
    expect(mail.text).toContain("€12.50");
    const reopenToken = tokenIn(mail.text, "/donate");
    expect(reopenToken).toBeDefined();
    expect(await readReminderForPicker(decodeURIComponent(reopenToken!))).toEqual({
      reminderId: id,
      frequency: "monthly",
      currency: "eur",
      amount: "12.50",
      coverFee: true,
      articleUrl: "https://news.example/story",
      section: "world",
      campaign: "spring",
      variant: "b",
      locale: "en",
    });
    const cancelToken = decodeURIComponent(tokenIn(mail.text, "/reminders/cancel")!);
    expect(cancelToken).toBe(cancelTokenOf(id));
    // One-click unsubscribe goes to the endpoint that takes RFC 8058's POST.
    const header = (name: string) =>
      mail.parsed.headerLines
        .find((h) => h.key === name)
        ?.line.replace(/\r?\n[ \t]+/g, " ")
        .replace(/^[^:]+:\s*/, "");
    expect(header("list-unsubscribe")).toBe(`<${reminderLinks(id).oneClickUnsubscribeUrl}>`);
    expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");

    // Once sent, the address is nowhere in the database.
    const [sent] = await outbox();
    expect(sent).toMatchObject({ status: "sent", props: null, toAddress: ERASED_ADDRESS });
    const everything = JSON.stringify({ reminders: await reminderRows(), outbox: await outbox() });
    expect(everything.toLowerCase()).not.toContain("reminded.reader");

    // Running again sends nothing more.
    expect(await settleDueReminders(daysFromNow(40))).toEqual({ sent: 0, hidden: 0, gave: 0, failed: 0 });
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
  });

  it("writes a Russian reader's reminder in Russian, through the scheduled work", async () => {
    const { id } = await create({ email: "chitatel@example.org", locale: "ru", choice: "three_months" });
    const result = await runScheduledWork(daysFromNow(93));
    expect(result.reminders).toEqual({ sent: 1, hidden: 0, gave: 0, failed: 0 });
    await sendViaSmtp();
    expect(smtp.received.map((m) => m.language)).toEqual(["ru"]);
    expect(smtp.received[0]!.text).toMatch(/12,50\s?€/);
    expect((await reminderRow(id)).status).toBe("sent");
  });

  it("hides an email-less reminder when it falls due, and sends nothing", async () => {
    const hide = await create({ choice: "hide", email: "" });
    const month = await create({ choice: "month", email: "" });
    expect(await settleDueReminders(daysFromNow(91))).toEqual({ sent: 0, hidden: 2, gave: 0, failed: 0 });
    expect((await reminderRow(hide.id)).status).toBe("hidden");
    expect((await reminderRow(month.id)).status).toBe("hidden");
    expect(await outbox()).toHaveLength(0);
  });

  it("does not remind a reader whose address gave (once, or monthly) after the reminder was made", async () => {
    const before = await create({ email: "gave.before@example.org" });
    const once = await create({ email: "Gave.Once@example.org" });
    const monthly = await create({ email: "gave.monthly@example.org" });
    // A gift made before the reminder was asked for does not count.
    await insertSupporterGift("gave.before@example.org", new Date(Date.now() - DAY_MS));
    const givenAt = new Date(Date.now() + 5 * DAY_MS);
    await insertSupporterGift("gave.once@example.org", givenAt);
    const [supporter] = await getDb().insert(supporters).values({ email: "gave.monthly@example.org" }).returning();
    const startedAt = new Date(Date.now() + 6 * DAY_MS);
    await getDb().insert(recurringGifts).values({
      supporterId: supporter!.id,
      stripeSubscriptionId: "sub_test_reminder",
      stripeCustomerId: "cus_test_reminder",
      frequency: "monthly",
      interval: "month",
      intervalCount: 1,
      amountMinor: 1000,
      currency: "eur",
      status: "active",
      stripeStatus: "active",
      startedAt,
      livemode: "test",
      stripeSyncedAt: startedAt,
    });

    expect(await settleDueReminders(daysFromNow(32))).toEqual({ sent: 1, hidden: 0, gave: 2, failed: 0 });
    expect(await reminderRow(before.id)).toMatchObject({ status: "sent" });
    expect(await reminderRow(once.id)).toMatchObject({ status: "gave", email: null, gaveAt: givenAt, sentAt: null });
    expect(await reminderRow(monthly.id)).toMatchObject({ status: "gave", email: null, gaveAt: startedAt, sentAt: null });
    expect((await outbox()).map((r) => r.idempotencyKey)).toEqual([`reminder:${before.id}`]);
  });

  it("sends each reminder once when several runs settle due reminders at the same time", async () => {
    const ids: string[] = [];
    // Fifteen readers (the rate limits count per visitor).
    for (let i = 0; i < 12; i++) ids.push((await create({ email: `concurrent.${i}@example.org`, visitorId: `visitor_concurrent_${i}_00000` })).id);
    for (let i = 0; i < 3; i++) await create({ email: "", visitorId: `visitor_no_address_${i}_00000` });
    const when = daysFromNow(32);
    const results = await Promise.all([settleDueReminders(when), settleDueReminders(when), settleDueReminders(when)]);
    const total = results.reduce((sum, r) => ({ sent: sum.sent + r.sent, hidden: sum.hidden + r.hidden, gave: sum.gave + r.gave, failed: sum.failed + r.failed }));
    expect(total).toEqual({ sent: 12, hidden: 3, gave: 0, failed: 0 });
    expect(await outbox()).toHaveLength(12);
    await Promise.all([sendViaSmtp(), sendViaSmtp()]);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `concurrent.${i}@example.org`).sort(),
    );
  });
});
