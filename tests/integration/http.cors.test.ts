import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { someClient } from "../support/clients";
import { useTestDatabase } from "../support/database";
import { sandboxStripe } from "../support/stripe";

// This file's app knows where the newsroom's articles are; the environment is read once, on first use.
process.env.NEWSROOM_ORIGINS = "https://news.example,https://ru.news.example";
useTestDatabase();

const { getDb } = await import("@/db");
const { rateLimits, reminders } = await import("@/db/schema");
const checkoutRoute = await import("@/app/api/checkout/route");
const remindersRoute = await import("@/app/api/reminders/route");
const { GET: pickerFragment } = await import("@/app/embed/v1/picker/route");

const APP_ORIGIN = "http://localhost:3000";
const giftBody = () => JSON.stringify({ frequency: "once", currency: "eur", amount: "25", locale: "en", attemptId: randomUUID() });
const reminderBody = () =>
  JSON.stringify({ visitorId: `visitor_${randomUUID().slice(0, 12)}`, choice: "month", locale: "en", picker: { frequency: "once", currency: "eur", amount: "10", coverFee: false } });
const post = (path: string, body: string, origin: string | null) =>
  new Request(`${APP_ORIGIN}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...someClient(), ...(origin === null ? {} : { origin }) },
    body,
  });
const preflight = (path: string, origin: string) =>
  new Request(`${APP_ORIGIN}${path}`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });

const sessionCount = async () => (await sandboxStripe().checkout.sessions.list({ limit: 100 })).data.length;
const counts = async () => ({ reminders: await getDb().$count(reminders), limits: await getDb().$count(rateLimits) });

describe("with NEWSROOM_ORIGINS set, only the newsroom's pages and the app's own call checkout and reminders", () => {
  it("answers the newsroom's pages and the app's own, naming the origin rather than *", async () => {
    for (const origin of ["https://news.example", "https://ru.news.example", APP_ORIGIN]) {
      const gift = await checkoutRoute.POST(post("/api/checkout", giftBody(), origin));
      expect({ origin, status: gift.status }).toEqual({ origin, status: 200 });
      expect(gift.headers.get("access-control-allow-origin")).toBe(origin);
      expect(gift.headers.get("vary")).toMatch(/Origin/);
      const reminder = await remindersRoute.POST(post("/api/reminders", reminderBody(), origin));
      expect({ origin, status: reminder.status }).toEqual({ origin, status: 201 });
      expect(reminder.headers.get("access-control-allow-origin")).toBe(origin);
    }
    const allowedPreflight = checkoutRoute.OPTIONS(preflight("/api/checkout", "https://news.example"));
    expect(allowedPreflight.status).toBe(204);
    expect(allowedPreflight.headers.get("access-control-allow-origin")).toBe("https://news.example");
  });

  it("refuses any other origin (and the opaque null origin) with 403, creating nothing and counting nothing", async () => {
    const before = { sessions: await sessionCount(), ...(await counts()) };
    for (const origin of ["https://evil.example", "null", "https://news.example.evil.example", "http://news.example"]) {
      const gift = await checkoutRoute.POST(post("/api/checkout", giftBody(), origin));
      expect({ origin, status: gift.status }).toEqual({ origin, status: 403 });
      expect(((await gift.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
      expect(gift.headers.get("access-control-allow-origin")).toBeNull();
      const reminder = await remindersRoute.POST(post("/api/reminders", reminderBody(), origin));
      expect({ origin, status: reminder.status }).toEqual({ origin, status: 403 });
      expect(checkoutRoute.OPTIONS(preflight("/api/checkout", origin)).status).toBe(403);
      expect(remindersRoute.OPTIONS(preflight("/api/reminders", origin)).status).toBe(403);
    }
    expect({ sessions: await sessionCount(), ...(await counts()) }).toEqual(before);
  });

  it("serves the embed's picker only to the newsroom's pages", async () => {
    const fragment = (origin: string) => pickerFragment(new Request(`${APP_ORIGIN}/embed/v1/picker?lang=en`, { headers: { origin } }));
    expect((await fragment("https://news.example")).headers.get("access-control-allow-origin")).toBe("https://news.example");
    expect((await fragment("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("still answers a caller that sends no Origin (not a browser's cross-origin call; the rate limits are for those)", async () => {
    const gift = await checkoutRoute.POST(post("/api/checkout", giftBody(), null));
    expect(gift.status).toBe(200);
    expect(gift.headers.get("access-control-allow-origin")).toBeNull();
  });
});
