import { eq, sql } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { getDb } from "@/db";
import { financeRemindersDaily, gifts, outboundEmails, rateLimits, recurringGifts, reminders, supporters } from "@/db/schema";
import { REMINDER_CANCEL_PURPOSE } from "@/lib/reminders/links";
import { sign } from "@/lib/security/secrets";
import { POST as cancelPost } from "@/app/api/reminders/cancel/route";
import { POST } from "@/app/api/reminders/route";
import CancelReminderPage from "@/app/reminders/cancel/page";
import { someClient } from "./clients";
import { startSmtpServer } from "./smtp";

export type SmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;

export const DAY_MS = 24 * 3600 * 1000;
export const VISITOR = "visitor_0123456789abcdef";

type Body = Record<string, unknown>;

/**
 * The reminder suites' set-up: before each test no reminders, emails, gifts, supporters or rate-limit
 * counters (each test starts as a new visitor would; tests/integration/abuse/guard.test.ts covers the
 * limits); with `started`, a real SMTP server for the file, handed to it. Call at the top level, after
 * useTestDatabase().
 */
export function useReminderSuite(started?: (smtp: SmtpServer) => void): void {
  let smtp: SmtpServer | null = null;
  if (started) {
    beforeAll(async () => {
      smtp = await startSmtpServer();
      started(smtp);
    });
    afterAll(async () => {
      await smtp?.stop();
    });
  }
  beforeEach(async () => {
    await getDb().execute(sql`truncate ${reminders}, ${financeRemindersDaily}, ${outboundEmails}, ${gifts}, ${recurringGifts}, ${supporters}, ${rateLimits} cascade`);
    if (smtp) smtp.received.length = 0;
  });
}

/** A reminder request as the widget sends it, with `overrides`. */
export const validBody = (overrides: Body = {}): Body => ({
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

/** POST /api/reminders with `body` (an object is sent as JSON). */
export const post = (body: unknown, contentType?: string) => POST(request(body, contentType));

/** A reminder made through POST /api/reminders, which must answer 201. */
export async function create(overrides: Body = {}): Promise<{ id: string; dueAt: string; email: boolean }> {
  const response = await post(validBody(overrides));
  expect(response.status).toBe(201);

  return ((await response.json()) as { reminder: { id: string; dueAt: string; email: boolean } }).reminder;
}

export const reminderRows = () => getDb().select().from(reminders).orderBy(reminders.createdAt, reminders.id);
export const reminderRow = async (id: string) => (await getDb().select().from(reminders).where(eq(reminders.id, id)))[0]!;
export const outbox = () => getDb().select().from(outboundEmails).orderBy(outboundEmails.createdAt, outboundEmails.id);
export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS);

/** POST /api/reminders/cancel, as the page's form or a mail client sends it. */
export const cancelRequest = (init: { token?: string; query?: string; body: BodyInit; contentType?: string }) =>
  cancelPost(
    new Request(`http://localhost:3000/api/reminders/cancel${init.query ?? ""}`, {
      method: "POST",
      headers: init.contentType ? { "content-type": init.contentType } : {},
      body: init.body,
    }),
  );
export const formCancel = (token: string) => cancelRequest({ body: new URLSearchParams({ token }).toString(), contentType: "application/x-www-form-urlencoded" });
export const oneClickCancel = (token: string) =>
  cancelRequest({ query: `?token=${encodeURIComponent(token)}`, body: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded" });

export const renderCancelPage = async (token: string) => renderToStaticMarkup(await CancelReminderPage({ searchParams: Promise.resolve({ token }) }));
export const cancelTokenOf = (id: string) => sign(REMINDER_CANCEL_PURPOSE, id);
/** The token in a link to `path` found in an email's text. */
export const tokenIn = (text: string, path: string) => new RegExp(`http://localhost:3000${path}\\?(?:token|reminder)=([A-Za-z0-9_.%-]+)`).exec(text)?.[1];
