import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { getDb } from "@/db";
import { gifts, outboundEmails, rateLimits, recurringGifts, reminders, supporters } from "@/db/schema";
import { solveChallenge } from "@/lib/abuse/solve-challenge";
import { ERASED_ADDRESS } from "@/lib/email/outbox";
import { sendDueEmails } from "@/lib/email/sender";
import { smtpTransport } from "@/lib/email/transport";
import { parseAmountToMinor } from "@/lib/money";
import { runScheduledWork } from "@/lib/scheduled/run";
import { sign } from "@/lib/security/secrets";
import { recordReminderOutcome } from "@/lib/reminders/conversion";
import { settleDueReminders } from "@/lib/reminders/due";
import { INVALID_REMINDER_LINK_PATH } from "@/lib/reminders/invalid-link";
import { REMINDER_CANCEL_PURPOSE, REMINDER_LINK_PURPOSE, reminderLinks } from "@/lib/reminders/links";
import { readReminderForPicker } from "@/lib/reminders/reopen";
import { VISITOR_ID } from "@/lib/reminders/schema";
import { reminderStats } from "@/lib/reminders/stats";
import { GET as cancelGet, POST as cancelPost } from "@/app/api/reminders/cancel/route";
import { OPTIONS, POST } from "@/app/api/reminders/route";
import { GET as invalidLinkGet } from "@/app/reminders/cancel/invalid/route";
import CancelReminderPage from "@/app/reminders/cancel/page";
import { someClient } from "../../../../support/clients";
import { useTestDatabase } from "../../../../support/database";
import { startSmtpServer } from "../../../../support/smtp";

const database = useTestDatabase();

const DAY_MS = 24 * 3600 * 1000;
const VISITOR = "visitor_0123456789abcdef";
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

type Body = Record<string, unknown>;

const validBody = (overrides: Body = {}): Body => ({
  visitorId: VISITOR,
  choice: "month",
  email: "Reader@Example.org",
  locale: "en",
  picker: { frequency: "monthly", currency: "eur", amount: "12.50", coverFee: true },
  articleUrl: "https://news.example/story",
  section: "world",
  campaign: "spring",
  variant: "b",
  ...overrides,
});

const request = (body: unknown, contentType = "application/json") =>
  new Request("http://localhost:3000/api/reminders", {
    method: "POST",
    // Each request from a client address of its own: requests without one share a single limit.
    headers: { "content-type": contentType, origin: "https://news.example", ...someClient() },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const post = (body: unknown, contentType?: string) => POST(request(body, contentType));

async function create(overrides: Body = {}): Promise<{ id: string; dueAt: string; email: boolean }> {
  const response = await post(validBody(overrides));
  expect(response.status).toBe(201);

  return ((await response.json()) as { reminder: { id: string; dueAt: string; email: boolean } }).reminder;
}

const reminderRows = () => getDb().select().from(reminders).orderBy(reminders.createdAt, reminders.id);
const reminderRow = async (id: string) => (await getDb().select().from(reminders).where(eq(reminders.id, id)))[0]!;
const outbox = () => getDb().select().from(outboundEmails).orderBy(outboundEmails.createdAt, outboundEmails.id);
const countReminders = async () => (await getDb().select({ n: sql<number>`count(*)::int` }).from(reminders))[0]!.n;
const sendViaSmtp = () => sendDueEmails({ transport: smtpTransport(smtp.url()) });
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS);

/** `date` plus `months` calendar months in UTC, the day clamped to the month's last (as PostgreSQL adds months). */
function addUtcMonths(date: Date, months: number): Date {
  const day = date.getUTCDate();
  const shifted = new Date(date);
  shifted.setUTCDate(1);
  shifted.setUTCMonth(shifted.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, 0)).getUTCDate();
  shifted.setUTCDate(Math.min(day, lastDay));

  return shifted;
}

const cancelRequest = (init: { token?: string; query?: string; body: BodyInit; contentType?: string }) =>
  cancelPost(
    new Request(`http://localhost:3000/api/reminders/cancel${init.query ?? ""}`, {
      method: "POST",
      headers: init.contentType ? { "content-type": init.contentType } : {},
      body: init.body,
    }),
  );
const formCancel = (token: string) => cancelRequest({ body: new URLSearchParams({ token }).toString(), contentType: "application/x-www-form-urlencoded" });
const oneClickCancel = (token: string) =>
  cancelRequest({ query: `?token=${encodeURIComponent(token)}`, body: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded" });

const renderCancelPage = async (token: string) => renderToStaticMarkup(await CancelReminderPage({ searchParams: Promise.resolve({ token }) }));
const cancelTokenOf = (id: string) => sign(REMINDER_CANCEL_PURPOSE, id);
const tokenIn = (text: string, path: string) => new RegExp(`http://localhost:3000${path}\\?(?:token|reminder)=([A-Za-z0-9_.%-]+)`).exec(text)?.[1];

async function insertSupporterGift(email: string, givenAt: Date) {
  const [supporter] = await getDb().insert(supporters).values({ email }).onConflictDoNothing().returning({ id: supporters.id });
  const supporterId = supporter?.id ?? (await getDb().select().from(supporters).where(eq(supporters.email, email)))[0]!.id;
  await getDb()
    .insert(gifts)
    .values({ supporterId, stripeCheckoutSessionId: `cs_test_${crypto.randomUUID()}`, frequency: "once", amountMinor: 2500, currency: "eur", livemode: "test", givenAt });

  return supporterId;
}

describe(`reminders on ${database.kind}`, () => {
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(async () => {
    // Rate-limit counters too: each test starts as a new visitor would (tests/integration/abuse/guard.test.ts covers the limits).
    await getDb().execute(sql`truncate ${reminders}, ${outboundEmails}, ${gifts}, ${recurringGifts}, ${supporters}, ${rateLimits} cascade`);
    smtp.received.length = 0;
  });

  describe("POST /api/reminders", () => {
    it("is rate limited: past the soft limit a proof of work, and a few reminders per address a day", async () => {
      // Three per visitor in ten minutes go through as they are (distinct addresses).
      for (const n of [1, 2, 3]) await create({ email: `limit${n}@example.org` });
      const asked = await post(validBody({ email: "limit4@example.org" }));
      expect(asked.status).toBe(428);
      const { error } = (await asked.json()) as { error: { code: string; challenge: never } };
      expect(error.code).toBe("CHALLENGE_REQUIRED");
      expect(await countReminders()).toBe(3);
      const solution = await solveChallenge(error.challenge);
      expect((await post(validBody({ email: "limit4@example.org", challenge: solution }))).status).toBe(201);
      // A spent solution buys nothing more.
      expect((await post(validBody({ email: "limit5@example.org", challenge: solution }))).status).toBe(428);

      // One address: three reminders a day, from however many visitors, then 429 with Retry-After.
      for (const n of [1, 2]) await create({ email: "one.address@example.org", visitorId: `visitor_other_${n}_0000000` });
      const third = await post(validBody({ email: "one.address@example.org", visitorId: "visitor_other_3_0000000" }));
      expect(third.status).toBe(201);
      const fourth = await post(validBody({ email: "one.address@example.org", visitorId: "visitor_other_4_0000000" }));
      expect(fourth.status).toBe(429);
      expect(Number(fourth.headers.get("retry-after"))).toBeGreaterThan(3600);
      expect(fourth.headers.get("access-control-allow-origin")).toBe("*");
      expect(((await fourth.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
      expect(await countReminders()).toBe(7);
      // The counters hold hashes only.
      const keys = (await getDb().select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key).join(" ");
      expect(keys).not.toMatch(/example\.org|visitor_/i);
    });

    it("answers the cross-origin preflight", async () => {
      const response = OPTIONS(new Request("http://localhost:3000/api/reminders", { method: "OPTIONS", headers: { origin: "https://news.example" } }));
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-allow-methods")).toBe("POST");
      expect(response.headers.get("access-control-allow-headers")).toBe("content-type");
    });

    it("saves the picker as the reader left it, due in a calendar month, and answers 201", async () => {
      const response = await post(validBody());
      expect(response.status).toBe(201);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      const { reminder } = (await response.json()) as { reminder: { id: string; dueAt: string; email: boolean } };
      expect(reminder).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), dueAt: expect.any(String), email: true });

      const [row] = await reminderRows();
      expect(row).toMatchObject({
        id: reminder.id,
        visitorId: VISITOR,
        email: "reader@example.org",
        locale: "en",
        status: "scheduled",
        frequency: "monthly",
        amountMinor: 1250,
        currency: "eur",
        coverFee: true,
        articleUrl: "https://news.example/story",
        section: "world",
        campaign: "spring",
        variant: "b",
        sentAt: null,
        cancelledAt: null,
        gaveAt: null,
        gaveCheckoutSessionId: null,
      });
      expect(row!.dueAt.toISOString()).toBe(reminder.dueAt);
      expect(row!.dueAt.getTime()).toBe(addUtcMonths(row!.createdAt, 1).getTime());
    });

    it("takes a dated reminder without an address (it only hides the widget), and counts 90 days for 'hide'", async () => {
      const three = await create({ choice: "three_months", email: "" });
      const hide = await create({ choice: "hide", email: undefined, locale: "ru", picker: { frequency: "once", currency: "gbp", amount: "£5", coverFee: false } });
      const month = await create({ email: null });
      expect([three.email, hide.email, month.email]).toEqual([false, false, false]);

      const byId = new Map((await reminderRows()).map((r) => [r.id, r]));
      const threeRow = byId.get(three.id)!;
      expect(threeRow.email).toBeNull();
      expect(threeRow.dueAt.getTime()).toBe(addUtcMonths(threeRow.createdAt, 3).getTime());
      const hideRow = byId.get(hide.id)!;
      expect(hideRow).toMatchObject({ email: null, locale: "ru", frequency: "once", currency: "gbp", amountMinor: 500, coverFee: false });
      expect(hideRow.dueAt.getTime() - hideRow.createdAt.getTime()).toBe(90 * DAY_MS);
    });

    it("refuses 'don't show this for a while' with an address: 422 on the email field, nothing written", async () => {
      const response = await post(validBody({ choice: "hide", email: "reader@example.org" }));
      expect(response.status).toBe(422);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      const body = (await response.json()) as { error: { code: string; message: string; fieldErrors: Record<string, string> } };
      expect(body.error).toMatchObject({ code: "INVALID_INPUT", fieldErrors: { email: expect.stringContaining("sends no email") } });
      expect(await countReminders()).toBe(0);
    });

    it("names every bad field", async () => {
      const cases: Array<[Body, string, RegExp]> = [
        [{ visitorId: "short" }, "visitorId", /16 to 64/],
        [{ visitorId: undefined }, "visitorId", /required/],
        [{ choice: "tomorrow" }, "choice", /month/],
        [{ email: "not an address" }, "email", /valid email/],
        [{ email: `${"a".repeat(250)}@example.org` }, "email", /at most 254/],
        [{ locale: "de" }, "locale", /en or ru/],
        [{ picker: "monthly" }, "picker", /picker/],
        [{ picker: { frequency: "weekly", currency: "eur", amount: "5", coverFee: false } }, "picker.frequency", /once, monthly or annual/],
        [{ picker: { frequency: "once", currency: "jpy", amount: "5", coverFee: false } }, "picker.currency", /EUR, USD or GBP/],
        [{ picker: { frequency: "once", currency: "eur", amount: "0.99", coverFee: false } }, "picker.amount", /at least €1\.00/],
        [{ picker: { frequency: "once", currency: "eur", amount: "10000.01", coverFee: false } }, "picker.amount", /at most €10,000\.00/],
        [{ picker: { frequency: "once", currency: "eur", amount: "ten", coverFee: false } }, "picker.amount", /as a number/],
        [{ picker: { frequency: "once", currency: "eur", amount: 25, coverFee: false } }, "picker.amount", /as text/],
        [{ picker: { frequency: "once", currency: "eur", amount: "25", coverFee: "yes" } }, "picker.coverFee", /true or false/],
        [{ challenge: 42 }, "challenge", /text/],
      ];
      for (const [overrides, field, message] of cases) {
        const response = await post(validBody(overrides));
        expect(response.status, field).toBe(422);
        const { error } = (await response.json()) as { error: { fieldErrors: Record<string, string> } };
        expect(error.fieldErrors[field], JSON.stringify(overrides)).toMatch(message);
      }
      expect(await countReminders()).toBe(0);
    });

    it("refuses what is not a JSON object: 415, 413, 400, nothing written", async () => {
      expect((await post(JSON.stringify(validBody()), "text/plain")).status).toBe(415);
      expect((await post(new URLSearchParams({ visitorId: VISITOR }).toString(), "application/x-www-form-urlencoded")).status).toBe(415);
      expect((await post(validBody({ section: "x".repeat(20_000) }))).status).toBe(413);
      expect((await post("{not json")).status).toBe(400);
      expect((await post("[1,2]")).status).toBe(400);
      expect((await post("null")).status).toBe(400);
      const streamed = new Request("http://localhost:3000/api/reminders", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(1024)));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
      expect((await POST(streamed)).status).toBe(413);
      expect(await countReminders()).toBe(0);
    });

    it("drops attribution it cannot use rather than refusing the reminder", async () => {
      const { id } = await create({ articleUrl: "javascript:alert(1)", section: "<script>", campaign: 7, variant: "x".repeat(101) });
      expect(await reminderRow(id)).toMatchObject({ articleUrl: null, section: null, campaign: null, variant: null });
    });

    it("answers any malformed request with a 4xx and writes nothing (fuzzed)", async () => {
      const emailSchema = z.email();
      const withPicker = (picker: Body) => validBody({ picker: { frequency: "once", currency: "eur", amount: "25", coverFee: false, ...picker } });
      const without = (key: string) => {
        const body = validBody();
        delete body[key];

        return body;
      };
      const json = (body: Body) => ({ text: JSON.stringify(body), contentType: "application/json" });
      const bad = fc.oneof(
        fc.constantFrom("visitorId", "choice", "locale", "picker").map((key) => json(without(key))),
        fc.string({ maxLength: 80 }).filter((s) => !VISITOR_ID.test(s)).map((visitorId) => json(validBody({ visitorId }))),
        fc.anything().filter((v) => typeof v !== "string").map((visitorId) => json(validBody({ visitorId }))),
        fc.string().filter((s) => !["month", "three_months", "hide"].includes(s)).map((choice) => json(validBody({ choice }))),
        fc.string().filter((s) => s.trim() !== "" && !emailSchema.safeParse(s.trim()).success).map((email) => json(validBody({ email }))),
        fc.emailAddress().map((email) => json(validBody({ choice: "hide", email }))),
        // Whatever JSON does not turn into null (which means "no address") or a string.
        fc
          .anything()
          .filter((v) => {
            const text = JSON.stringify(v);

            return text !== undefined && JSON.parse(text) !== null && typeof JSON.parse(text) !== "string";
          })
          .map((email) => json(validBody({ email }))),
        fc.string().filter((s) => s !== "en" && s !== "ru").map((locale) => json(validBody({ locale }))),
        fc.anything().map((picker) => json(validBody({ picker }))),
        fc.string().filter((s) => !["once", "monthly", "annual"].includes(s)).map((frequency) => json(withPicker({ frequency }))),
        fc.string().filter((s) => !["eur", "usd", "gbp"].includes(s)).map((currency) => json(withPicker({ currency }))),
        fc
          .oneof(fc.string(), fc.constantFrom("0", "0.99", "10000.01", "1e3", "-5", "25.555", "", " "))
          .filter((s) => {
            const minor = parseAmountToMinor(s, "eur");

            return minor === null || minor < 100 || minor > 1_000_000 || s.trim().length > 20;
          })
          .map((amount) => json(withPicker({ amount }))),
        fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)).map((amount) => json(withPicker({ amount }))),
        fc.anything().filter((v) => typeof v !== "boolean").map((coverFee) => json(withPicker({ coverFee }))),
        fc.anything().filter((v) => v !== undefined && typeof v !== "string").map((challenge) => json(validBody({ challenge }))),
        fc.string().map((text) => ({ text, contentType: "application/json" })),
        fc
          .constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/jsonx")
          .map((contentType) => ({ text: JSON.stringify(validBody()), contentType })),
      );
      await fc.assert(
        fc.asyncProperty(bad, async ({ text, contentType }) => {
          const response = await post(text, contentType);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(response.headers.get("access-control-allow-origin")).toBe("*");
        }),
        { numRuns: 300 },
      );
      expect(await countReminders()).toBe(0);
    });
  });

  describe("due reminders", () => {
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

  describe("cancelling", () => {
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
      expect(response.headers.get("location")).toBe(`http://localhost:3000/reminders/cancel?token=${encodeURIComponent(token)}`);
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

  describe("stats", () => {
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
});
