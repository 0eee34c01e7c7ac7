import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { getDb } from "@/db";
import { rateLimits, reminders } from "@/db/schema";
import { parseAmountToMinor } from "@/lib/money";
import { VISITOR_ID } from "@/lib/reminders/schema";
import { OPTIONS, POST } from "@/app/api/reminders/route";
import { useTestDatabase } from "../../../../support/database";
import { solveQuickly } from "../../../../support/solve";
import { DAY_MS, VISITOR, create, post, reminderRow, reminderRows, useReminderSuite, validBody } from "../../../../support/reminders";

const database = useTestDatabase();
useReminderSuite();

type Body = Record<string, unknown>;

const countReminders = async () => (await getDb().select({ n: sql<number>`count(*)::int` }).from(reminders))[0]!.n;

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

describe(`POST /api/reminders on ${database.kind}`, () => {
  it("is rate limited: past the soft limit a proof of work, and a few reminders per address a day", async () => {
    // Three per visitor in ten minutes go through as they are (distinct addresses).
    for (const n of [1, 2, 3]) await create({ email: `limit${n}@example.org` });
    const asked = await post(validBody({ email: "limit4@example.org" }));
    expect(asked.status).toBe(428);
    const { error } = (await asked.json()) as { error: { code: string; challenge: never } };
    expect(error.code).toBe("CHALLENGE_REQUIRED");
    expect(await countReminders()).toBe(3);
    const solution = solveQuickly(error.challenge);
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
