import fc from "fast-check";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { GET as accountExport } from "@/app/account/export/route";
import { GET as accountReceipt } from "@/app/account/receipt/route";
import { GET as accountStatement } from "@/app/account/statement/route";
import { POST as authConfirm } from "@/app/api/auth/confirm/route";
import { POST as signIn } from "@/app/api/auth/sign-in/route";
import { POST as signOut } from "@/app/api/auth/sign-out/route";
import { POST as checkout } from "@/app/api/checkout/route";
import { POST as cron } from "@/app/api/cron/route";
import { GET as financeSummary } from "@/app/api/finance/summary/route";
import { GET as giftStatus } from "@/app/api/gifts/status/route";
import { POST as cancelReminder } from "@/app/api/reminders/cancel/route";
import { POST as reminders } from "@/app/api/reminders/route";
import { POST as webhook } from "@/app/api/stripe/webhook/route";
import { GET as donateReceipt } from "@/app/donate/receipt/route";
import { GET as picker } from "@/app/embed/v1/picker/route";
import { GET as exportDisputes } from "@/app/finance/export/disputes/route";
import { GET as exportPayments } from "@/app/finance/export/payments/route";
import { GET as exportPayouts } from "@/app/finance/export/payouts/route";
import { GET as exportRefunds } from "@/app/finance/export/refunds/route";
import { rawQuery } from "@/db";
import { signedInSession } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { INTERNALS } from "../../support/fuzz";
import { controlFlowOf } from "../../support/next";

// The session cookie the routes read (lib/auth/current-actor.ts): set per request by the fuzzer.
const cookie = vi.hoisted(() => ({ value: null as string | null }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  cookies: (await import("../../support/next")).cookieJarOf(cookie),
  headers: async () => new Headers(),
}));
// Set before the app first reads its environment: the cron route exists only with a secret.
process.env.CRON_SECRET = "fuzz-cron-secret-0123456789abcdef0123456789";

useTestDatabase();

const APP = "http://localhost:3000";
type Handler = (request: Request) => Promise<Response>;
const ROUTES: Array<{ path: string; method: "GET" | "POST"; handler: Handler }> = [
  { path: "/api/checkout", method: "POST", handler: checkout },
  { path: "/api/reminders", method: "POST", handler: reminders },
  { path: "/api/reminders/cancel", method: "POST", handler: cancelReminder },
  { path: "/api/stripe/webhook", method: "POST", handler: webhook },
  { path: "/api/auth/sign-in", method: "POST", handler: signIn },
  { path: "/api/auth/confirm", method: "POST", handler: authConfirm },
  { path: "/api/cron", method: "POST", handler: cron },
  { path: "/api/gifts/status", method: "GET", handler: giftStatus },
  { path: "/api/finance/summary", method: "GET", handler: financeSummary },
  { path: "/donate/receipt", method: "GET", handler: donateReceipt },
  { path: "/embed/v1/picker", method: "GET", handler: picker },
  { path: "/account/receipt", method: "GET", handler: accountReceipt },
  { path: "/account/statement", method: "GET", handler: accountStatement },
  { path: "/account/export", method: "GET", handler: () => accountExport() },
  { path: "/finance/export/payments", method: "GET", handler: exportPayments },
  { path: "/finance/export/refunds", method: "GET", handler: exportRefunds },
  { path: "/finance/export/disputes", method: "GET", handler: exportDisputes },
  { path: "/finance/export/payouts", method: "GET", handler: exportPayouts },
  { path: "/api/auth/sign-out", method: "POST", handler: signOut },
];

// Everything a request could write, counted in one statement before and after each refusal.
const TABLES = [
  "payments", "gifts", "recurring_gifts", "refunds", "disputes", "stripe_events", "reminders", "outbound_emails", "mailbox_messages",
  "supporters", "stripe_customers", "users", "sessions", "verification_tokens", "staff_members", "finance_api_tokens", "audit_log",
  "gift_requests", "erasures", "campaigns",
];
const counts = async () => (await rawQuery<Record<string, number>>(`select ${TABLES.map((t) => `(select count(*)::int from ${t}) as ${t}`).join(", ")}`, []))[0];

const QUERY_KEYS = ["session_id", "token", "payment", "year", "from", "to", "currency", "lang", "locale", "return", "id", "amount", "frequency", "campaign"];
const arbitraryDay = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const arbitraryQuery = fc.dictionary(
  fc.constantFrom(...QUERY_KEYS),
  fc.oneof(
    fc.string(),
    fc.string({ maxLength: 40, unit: "grapheme" }),
    // Near the real shapes, so a fuzzed request gets past the first check.
    fc.string({ maxLength: 30 }).map((s) => `cs_test_${s}`),
    arbitraryDay,
    fc.integer({ min: -5, max: 3000 }).map(String),
    fc.constantFrom("2026-02-30", "eur", "usd", "en", "ru", "-1", "9".repeat(30), "%", "%E0%A4%A", "../../etc", "/account", "//evil.example"),
  ),
  { maxKeys: 4 },
);
const BODY_KEYS = ["email", "amount", "customAmount", "frequency", "currency", "attemptId", "visitorId", "token", "choice", "locale", "lang", "return", "id", "challenge", "scope", "picker"];
const CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", "application/json; charset=latin1", "APPLICATION/JSON", "application/xml", null] as const;
const arbitraryBody = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.dictionary(fc.constantFrom(...BODY_KEYS), fc.oneof(fc.jsonValue(), fc.emailAddress(), fc.constantFrom("once", "monthly", "eur", "10", "en", "ru", "here", "everywhere")), { maxKeys: 6 }).map((value) => JSON.stringify(value)),
  fc.dictionary(fc.constantFrom(...BODY_KEYS), fc.oneof(fc.string({ maxLength: 40 }), fc.emailAddress()), { maxKeys: 6 }).map((value) => new URLSearchParams(value).toString()),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.constant("x".repeat(70_000)),
  fc.constant(""),
);
const arbitraryAuthorization = fc.option(fc.oneof(fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`), fc.string({ maxLength: 60 }), fc.constant("Bearer rf_live_0000")), { nil: null });
// Mostly our own origin, so that the forms' same-origin check lets most requests through to what follows it.
const arbitraryOrigin = fc.oneof({ arbitrary: fc.constant(APP), weight: 4 }, fc.constantFrom("https://evil.example", "null", "http://localhost:3000/"), fc.constant(null));

let supporterToken = "";
let adminToken = "";
// Before each route: a fuzzed sign-out "everywhere" ends the sessions the next route would use.
beforeEach(async () => {
  supporterToken = (await signedInSession("fuzzed-supporter@example.org")).token;
  // The local admin by configuration (ADMIN_EMAILS' default): the finance routes' parameters get fuzzed too.
  adminToken = (await signedInSession("admin@example.org")).token;
});

/** A route's answer, or what a thrown Next control-flow error (a redirect, notFound) means to a browser. */
async function answer(handler: Handler, request: Request): Promise<{ status: number; text: string }> {
  try {
    const response = await handler(request);

    return { status: response.status, text: await response.text() };
  } catch (error) {
    const flow = controlFlowOf(error);
    if (!flow) throw error;

    return { status: flow.kind === "redirect" ? 307 : flow.status, text: "" };
  }
}

describe("every public route, fuzzed: a bad request is a clear 4xx that writes nothing, never a 5xx or an internal message", () => {
  it.each(ROUTES)("$method $path", async ({ path, method, handler }) => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryQuery,
        fc.oneof({ arbitrary: fc.constantFrom("application/json", "application/x-www-form-urlencoded"), weight: 3 }, fc.constantFrom(...CONTENT_TYPES)),
        arbitraryBody,
        arbitraryAuthorization,
        arbitraryOrigin,
        fc.constantFrom("none", "garbage", "supporter", "admin"),
        async (query, contentType, body, authorization, origin, who) => {
          cookie.value = who === "none" ? null : who === "garbage" ? "not-a-session-token" : who === "admin" ? adminToken : supporterToken;
          const headers = new Headers();
          if (contentType) headers.set("content-type", contentType);
          if (authorization) headers.set("authorization", authorization);
          if (origin) headers.set("origin", origin);
          headers.set("x-forwarded-for", "198.51.100.7");
          const url = `${APP}${path}?${new URLSearchParams(query).toString()}`;
          const request = new Request(url, { method, headers, body: method === "POST" ? body : undefined });
          const before = await counts();

          const { status, text } = await answer(handler, request);

          expect(status, `${method} ${url} answered ${status}: ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(text).not.toMatch(INTERNALS);
          if (status >= 400) {
            expect(await counts(), `${method} ${url} answered ${status} yet wrote`).toEqual(before);
            // A refusal says what was wrong, not only that something was.
            if (text.startsWith("{")) expect(text).toMatch(/"(error|message)"/);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
