import { describe, expect, it, vi } from "vitest";
import { POST as confirm } from "@/app/api/auth/confirm/route";
import { POST as signIn } from "@/app/api/auth/sign-in/route";
import { POST as signOut } from "@/app/api/auth/sign-out/route";
import { POST as checkout } from "@/app/api/checkout/route";
import { POST as cancelReminder } from "@/app/api/reminders/cancel/route";
import { POST as reminders } from "@/app/api/reminders/route";
import { rawQuery } from "@/db";
import { useTestDatabase } from "../../support/database";

vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false, set: () => {}, delete: () => {} }),
}));
// Read when the app first reads its environment: the newsroom's own site may start gifts and reminders.
process.env.NEWSROOM_ORIGINS = "https://news.example";

useTestDatabase();

const APP = "http://localhost:3000";
const EVIL = "https://evil.example";
const TABLES = ["verification_tokens", "sessions", "reminders", "outbound_emails", "rate_limits", "spent_challenges", "users"];
const counts = async () => (await rawQuery<Record<string, number>>(`select ${TABLES.map((t) => `(select count(*)::int from ${t}) as ${t}`).join(", ")}`, []))[0];

/**
 * Every state-changing route a browser can be made to post to, each with a body it would accept.
 * Not the reminder's cancel link: mail providers post it from their own origin (one-click
 * unsubscribe, RFC 8058), and only the signed token in the email lets it change anything.
 */
const ROUTES = [
  { name: "POST /api/auth/sign-in", handler: signIn, body: { email: "reader@example.org", lang: "en" }, home: APP },
  { name: "POST /api/auth/confirm", handler: confirm, body: { token: "a".repeat(64), email: "reader@example.org" }, home: APP },
  { name: "POST /api/auth/sign-out", handler: signOut, body: { scope: "everywhere" }, home: APP },
  { name: "POST /api/checkout", handler: checkout, body: { frequency: "once", currency: "eur", amount: "25", attemptId: crypto.randomUUID(), locale: "en" }, home: "https://news.example" },
  { name: "POST /api/reminders", handler: reminders, body: { visitorId: "v".repeat(22), choice: "three_months", email: "reader@example.org", locale: "en" }, home: "https://news.example" },
];

const post = (handler: (request: Request) => Promise<Response>, origin: string | null, body: unknown) =>
  handler(
    new Request(`${APP}/api/x`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": "198.51.100.20", ...(origin ? { origin } : {}) },
      body: new URLSearchParams(body as Record<string, string>).toString(),
    }),
  );

describe("cross-site requests: a page elsewhere cannot make a reader's browser change anything here", () => {
  it.each(ROUTES)("$name refuses another site's post (403) and writes nothing", async ({ handler, body }) => {
    const before = await counts();
    const answer = await post(handler, EVIL, body);
    expect(answer.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it("lets the reminder's cancel link be posted from anywhere, yet without its signed token changes nothing", async () => {
    const before = await counts();
    const answer = await post(cancelReminder, EVIL, { token: "x".repeat(40) });
    expect(answer.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it.each(ROUTES)("$name takes the same post from its own page (not 403)", async ({ handler, body, home }) => {
    const answer = await post(handler, home, body);
    expect(answer.status).not.toBe(403);
  });
});
