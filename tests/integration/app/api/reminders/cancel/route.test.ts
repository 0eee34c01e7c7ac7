import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { ERASED_ADDRESS } from "@/lib/email/outbox";
import { sendDueEmails } from "@/lib/email/sender";
import { smtpTransport } from "@/lib/email/transport";
import { sign } from "@/lib/security/secrets";
import { recordReminderOutcome } from "@/lib/reminders/conversion";
import { settleDueReminders } from "@/lib/reminders/due";
import { INVALID_REMINDER_LINK_PATH } from "@/lib/reminders/invalid-link";
import { REMINDER_CANCEL_PURPOSE, REMINDER_LINK_PURPOSE } from "@/lib/reminders/links";
import { readReminderForPicker } from "@/lib/reminders/reopen";
import { GET as cancelGet, POST as cancelPost } from "@/app/api/reminders/cancel/route";
import { GET as invalidLinkGet } from "@/app/reminders/cancel/invalid/route";
import { useTestDatabase } from "../../../../../support/database";
import { VISITOR, type SmtpServer, cancelRequest, cancelTokenOf, create, daysFromNow, formCancel, oneClickCancel, outbox, reminderRow, reminderRows, renderCancelPage, useReminderSuite } from "../../../../../support/reminders";

const database = useTestDatabase();

let smtp: SmtpServer;
useReminderSuite((server) => (smtp = server));

const sendViaSmtp = () => sendDueEmails({ transport: smtpTransport(smtp.url()) });

describe(`cancelling a reminder on ${database.kind}`, () => {
  it("cancels from the page's form: 303 back to the page, which says so; the queued email is withdrawn", async () => {
    const { id } = await create({ email: "cancel.form@example.org" });
    await settleDueReminders(daysFromNow(32));
    const token = cancelTokenOf(id);

    const page = await renderCancelPage(token);
    expect(page).toContain("<h1");
    expect(page).toContain("Cancel your reminder?");
    expect(page).toContain('action="/api/reminders/cancel"');
    expect(page).toContain(`name="token" value="${token}"`);
    expect(page.match(/<button/g)).toHaveLength(1);
    // Opening the page changes nothing.
    expect((await reminderRow(id)).status).toBe("sent");

    const response = await formCancel(token);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`http://localhost:3000/reminders/cancel?token=${encodeURIComponent(token)}&lang=en`);
    const row = await reminderRow(id);
    expect(row).toMatchObject({ status: "cancelled", email: null });
    expect(row.cancelledAt).toBeInstanceOf(Date);
    const [queued] = await outbox();
    expect(queued).toMatchObject({ status: "suppressed", props: null, toAddress: ERASED_ADDRESS });
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);

    const after = await renderCancelPage(token);
    expect(after).toContain("Your reminder is cancelled");
    expect(after).not.toContain("<form");

    // Again: the same answer, nothing more changes.
    expect((await formCancel(token)).status).toBe(303);
    expect(await reminderRow(id)).toEqual(row);
    // A cancelled reminder's link no longer reopens the picker.
    expect(await readReminderForPicker(sign(REMINDER_LINK_PURPOSE, id))).toBeNull();
  });

  it("cancels a reminder not yet due, in its own language; it is then never sent", async () => {
    const { id } = await create({ email: "otmena@example.org", locale: "ru" });
    const token = cancelTokenOf(id);
    const page = await renderCancelPage(token);
    expect(page).toContain('lang="ru"');
    expect(page).toContain("Отменить напоминание?");
    expect((await formCancel(token)).status).toBe(303);
    expect(await renderCancelPage(token)).toContain("Напоминание отменено");
    expect(await reminderRow(id)).toMatchObject({ status: "cancelled", email: null });
    expect(await settleDueReminders(daysFromNow(32))).toEqual({ sent: 0, hidden: 0, gave: 0, failed: 0 });
    expect(await outbox()).toHaveLength(0);
  });

  it("takes a mail client's one-click unsubscribe (RFC 8058), urlencoded or multipart", async () => {
    const { id } = await create({ email: "one.click@example.org" });
    const second = await create({ email: "one.click.multipart@example.org" });
    await settleDueReminders(daysFromNow(32));

    const response = await oneClickCancel(cancelTokenOf(id));
    expect(response.status).toBe(200);
    expect(await reminderRow(id)).toMatchObject({ status: "cancelled", email: null });

    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    const multipart = await cancelPost(
      new Request(`http://localhost:3000/api/reminders/cancel?token=${encodeURIComponent(cancelTokenOf(second.id))}`, { method: "POST", body: form }),
    );
    expect(multipart.status).toBe(200);
    expect((await reminderRow(second.id)).status).toBe("cancelled");

    expect((await outbox()).map((r) => r.status)).toEqual(["suppressed", "suppressed"]);
    expect(await sendViaSmtp()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);
    // Again: still 200.
    expect((await oneClickCancel(cancelTokenOf(id))).status).toBe(200);
  });

  it("leaves a reminder that led to a gift on the record: nothing left to cancel", async () => {
    const { id } = await create();
    await settleDueReminders(daysFromNow(32));
    await getDb().transaction((tx) =>
      recordReminderOutcome(tx, { reminderId: id, visitorId: VISITOR, email: null, checkoutSessionId: "cs_test_through_link", at: new Date() }),
    );
    const converted = await reminderRow(id);
    expect(await renderCancelPage(cancelTokenOf(id))).toContain("Nothing left to cancel");
    expect((await oneClickCancel(cancelTokenOf(id))).status).toBe(200);
    expect((await formCancel(cancelTokenOf(id))).status).toBe(303);
    expect(await reminderRow(id)).toEqual(converted);
    expect(converted).toMatchObject({ status: "sent", gaveCheckoutSessionId: "cs_test_through_link" });
  });

  it("never cancels on a GET (link scanners): it leads to the page", async () => {
    const { id } = await create();
    const token = cancelTokenOf(id);
    const response = cancelGet(new Request(`http://localhost:3000/api/reminders/cancel?token=${encodeURIComponent(token)}`));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`http://localhost:3000/reminders/cancel?token=${encodeURIComponent(token)}`);
    expect((await reminderRow(id)).status).toBe("scheduled");
  });

  it("refuses a tampered, foreign or unknown token with a 4xx and changes nothing", async () => {
    const { id } = await create({ email: "tamper@example.org" });
    await settleDueReminders(daysFromNow(32));
    const good = cancelTokenOf(id);
    const [payload, signature] = good.split(".") as [string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
    const otherId = crypto.randomUUID();
    const bad = [
      `${payload}.${flipped}`,
      `${Buffer.from(otherId).toString("base64url")}.${signature}`,
      sign(REMINDER_CANCEL_PURPOSE, otherId),
      sign(REMINDER_CANCEL_PURPOSE, "not-a-uuid"),
      "",
      "x".repeat(1000),
      `${good}.extra`,
    ];
    const before = { reminders: await reminderRows(), outbox: await outbox() };
    for (const token of bad) {
      const refused = await formCancel(token);
      expect(refused.status, token.slice(0, 40)).toBe(400);
      expect(await refused.text()).toContain("<h1>This link does not work</h1>");
      expect((await oneClickCancel(token)).status).toBe(400);
      await expect(renderCancelPage(token)).rejects.toMatchObject({ digest: expect.stringContaining(`;${INVALID_REMINDER_LINK_PATH};307;`) });
      expect(await readReminderForPicker(token)).toBeNull();
    }
    // Where the page sends them: a plain 404 page, whole without JavaScript, in both languages.
    const invalid = invalidLinkGet();
    expect(invalid.status).toBe(404);
    expect(invalid.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await invalid.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("<h1>This link does not work</h1>");
    expect(html).toContain('<div lang="ru">');
    expect(html).toContain("Эта ссылка не работает");
    // Each link's token is good for its own purpose only.
    const reopenToken = sign(REMINDER_LINK_PURPOSE, id);
    expect((await formCancel(reopenToken)).status).toBe(400);
    expect((await oneClickCancel(reopenToken)).status).toBe(400);
    expect(await readReminderForPicker(good)).toBeNull();
    expect(await readReminderForPicker(reopenToken)).not.toBeNull();
    expect((await cancelRequest({ body: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded" })).status).toBe(400);
    expect((await cancelRequest({ body: JSON.stringify({ token: good }), contentType: "application/json" })).status).toBe(415);
    expect({ reminders: await reminderRows(), outbox: await outbox() }).toEqual(before);
    // The untouched email still goes.
    expect(await sendViaSmtp()).toEqual({ sent: 1, retried: 0, failed: 0 });
  });
});
