import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { savePreferencesAction } from "@/app/account/_components/preferences-actions";
import { eraseAction } from "@/app/account/erase/actions";
import { saveCampaignAction, setCampaignActiveAction } from "@/app/finance/campaigns/actions";
import { replayAction } from "@/app/finance/inbox/actions";
import { repairAction } from "@/app/finance/reconcile/actions";
import { grantRoleAction, revokeRoleAction } from "@/app/finance/staff/actions";
import { createTokenAction, revokeTokenAction } from "@/app/finance/tokens/actions";
import {
  cancelGiftAction,
  changeGiftAction,
  pauseGiftAction,
  resumeGiftAction,
  revokeLinksAction,
  undoCancelGiftAction,
  updateCardAction,
} from "@/app/manage/actions";
import { getDb, rawQuery } from "@/db";
import { recurringGifts } from "@/db/schema";
import type { ActionState } from "@/lib/actions/action";
import { signManageToken } from "@/lib/supporters/manage-links";
import { CANCEL_FEEDBACK } from "@/lib/supporters/recurring-gift-rules";
import { signedInSession } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { INTERNALS } from "../../support/fuzz";
import { controlFlowOf } from "../../support/next";
import { ensureGiftProducts, startRecurringGift } from "../../support/gifts";
import { drainUntilSettled } from "../../support/ledger";
import { deliver, eventsAfter, usePrivateSandbox } from "../../support/stripe";

// The session cookie the actions read (lib/auth/current-actor.ts): set per call by the fuzzer.
const cookie = vi.hoisted(() => ({ value: null as string | null }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  cookies: (await import("../../support/next")).cookieJarOf(cookie),
  headers: async () => new Headers(),
}));
// Revalidating needs Next's request store, which a direct call of an action has not; the pages read
// again after an action are proved in the browser (tests/e2e).
vi.mock("next/cache", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), revalidatePath: () => {} }));

usePrivateSandbox();
const database = useTestDatabase();

type ServerAction = (previous: ActionState<never>, formData: FormData) => Promise<ActionState<unknown>>;
const GIFT = ["recurringGiftId", "attemptId", "token", "lang"];
const PRESETS = ["once", "monthly", "annual"].flatMap((frequency) => ["eur", "usd", "gbp"].flatMap((currency) => [`presets.${frequency}.${currency}.amounts`, `presets.${frequency}.${currency}.suggested`]));
const CAMPAIGN = ["mode", "slug", "name", "goalAmount", "goalCurrency", "startsOn", "endsOn", "copy.en.headline", "copy.ru.appeal", ...PRESETS];
// Each action with the fields of its form. Erasing last: once it succeeds, the supporter's session is gone.
const ACTIONS: Array<{ name: string; run: ServerAction; fields: string[] }> = [
  { name: "change recurring gift", run: changeGiftAction, fields: [...GIFT, "amount", "frequency", "currency"] },
  { name: "pause recurring gift", run: pauseGiftAction, fields: [...GIFT, "months"] },
  { name: "resume recurring gift", run: resumeGiftAction, fields: GIFT },
  { name: "cancel recurring gift", run: cancelGiftAction, fields: [...GIFT, "feedback", "comment"] },
  { name: "undo cancellation", run: undoCancelGiftAction, fields: GIFT },
  { name: "update card", run: updateCardAction, fields: GIFT },
  { name: "revoke manage links", run: revokeLinksAction, fields: GIFT },
  { name: "save preferences", run: savePreferencesAction as ServerAction, fields: ["locale", "receipts", "reminders", "statements"] },
  { name: "grant staff role", run: grantRoleAction as ServerAction, fields: ["email", "role"] },
  { name: "revoke staff role", run: revokeRoleAction as ServerAction, fields: ["email"] },
  { name: "create finance token", run: createTokenAction as ServerAction, fields: ["name"] },
  { name: "revoke finance token", run: revokeTokenAction as ServerAction, fields: ["id"] },
  { name: "save campaign", run: saveCampaignAction as ServerAction, fields: CAMPAIGN },
  { name: "switch campaign", run: setCampaignActiveAction as ServerAction, fields: ["slug", "active"] },
  { name: "replay webhook events", run: replayAction as ServerAction, fields: ["ids", "ids"] },
  { name: "repair reconciliation", run: repairAction as ServerAction, fields: ["from", "to"] },
  { name: "erase supporter", run: eraseAction as ServerAction, fields: ["confirm", "lang"] },
];

// Everything an action could write, each table's whole content hashed in one statement before and
// after each refusal, so an update is caught as well as an insert. Sessions and users are counted
// only: reading a session may extend it.
const HASHED = [
  "payments", "gifts", "recurring_gifts", "gift_requests", "refunds", "disputes", "stripe_events", "outbound_emails", "supporters",
  "stripe_customers", "staff_members", "finance_api_tokens", "audit_log", "erasures", "campaigns", "reminders",
];
const COUNTED = ["users", "sessions"];
const snapshot = async () =>
  (
    await rawQuery<Record<string, string | number>>(
      `select ${[
        ...HASHED.map((t) => `(select md5(coalesce(string_agg(x::text, ',' order by x::text), '')) from ${t} x) as ${t}`),
        ...COUNTED.map((t) => `(select count(*)::int from ${t}) as ${t}`),
      ].join(", ")}`,
      [],
    )
  )[0];

const OWNER = "fuzzed-owner@example.org";
let gift = { id: "", manageKey: "" };
let ownerSession = "";
let otherSession = "";
let adminSession = "";

beforeAll(async () => {
  await ensureGiftProducts();
  const { marker } = await startRecurringGift({ email: OWNER, amount: 1000, currency: "eur" });
  await deliver(await eventsAfter(marker));
  await drainUntilSettled();
  const [row] = await getDb().select().from(recurringGifts).limit(1);
  gift = row!;
}, 60_000);

// Before each action: an earlier action's success may have ended a session or rotated the link's key.
beforeEach(async () => {
  const [row] = await getDb().select().from(recurringGifts).where(eq(recurringGifts.id, gift.id));
  if (row) gift = row;
  ownerSession = (await signedInSession(OWNER)).token;
  otherSession = (await signedInSession("fuzzed-stranger@example.org")).token;
  // The local admin by configuration (ADMIN_EMAILS' default): the admin forms get past their first check.
  adminSession = (await signedInSession("admin@example.org")).token;
});

const day = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ maxLength: 20, unit: "grapheme" }), fc.constant("x".repeat(5000)), fc.constant(""));
const weird = fc.oneof(anyText, fc.constantFrom("-1", "0", "1e9", "NaN", "9".repeat(30), "../x", "%00", "null", "undefined", "[object Object]"));

/** For each field: a value the form would send, and values near its shape that it would not. */
function fieldValues(): Record<string, { good: fc.Arbitrary<string>; bad: fc.Arbitrary<string> }> {
  const token = signManageToken(gift, new Date());
  const presets = Object.fromEntries(
    PRESETS.map((key) => [key, key.endsWith(".amounts") ? { good: fc.constantFrom("5, 10, 25", "10 25 50"), bad: fc.constantFrom("0", "a, b", "", "10, 10", "1000000") } : { good: fc.constant("10"), bad: fc.constantFrom("7", "", "-10") }]),
  );

  return {
    recurringGiftId: { good: fc.constant(gift.id), bad: fc.constantFrom(randomUUID(), "not-a-uuid", gift.id.toUpperCase(), `${gift.id} `) },
    attemptId: { good: fc.uuid(), bad: fc.constantFrom("not-a-uuid", "") },
    // With no token, the session cookie says who asks.
    token: { good: fc.constantFrom(token, ""), bad: fc.constantFrom("garbage", `${token}x`, token.split(".").slice(0, 2).join(".")) },
    lang: { good: fc.constantFrom("en", "ru"), bad: fc.constantFrom("xx", "EN", "") },
    amount: { good: fc.constantFrom("5", "12.50", "20"), bad: fc.constantFrom("12,50", "0", "-1", "1e9", "99999999", "0.001", "NaN", "") },
    frequency: { good: fc.constantFrom("monthly", "annual"), bad: fc.constantFrom("once", "weekly", "") },
    currency: { good: fc.constant("eur"), bad: fc.constantFrom("usd", "gbp", "EUR", "xxx") },
    months: { good: fc.constantFrom("1", "2", "3"), bad: fc.constantFrom("4", "0", "1.5") },
    feedback: { good: fc.constantFrom(...CANCEL_FEEDBACK, ""), bad: fc.constantFrom("other-reason", "TOO_EXPENSIVE") },
    comment: { good: fc.string({ maxLength: 100 }), bad: fc.constant("x".repeat(501)) },
    locale: { good: fc.constantFrom("en", "ru"), bad: fc.constantFrom("de", "") },
    receipts: { good: fc.constantFrom("on", "true", "false"), bad: fc.constantFrom("yes", "1") },
    reminders: { good: fc.constantFrom("on", "true", "false"), bad: fc.constantFrom("no") },
    statements: { good: fc.constantFrom("on", "false"), bad: fc.constantFrom("off") },
    confirm: { good: fc.constantFrom("ERASE", " ERASE "), bad: fc.constantFrom("erase", "DELETE", "") },
    email: { good: fc.emailAddress(), bad: fc.constantFrom("not-an-address", "a@b", "@example.org", "x".repeat(300)) },
    role: { good: fc.constantFrom("finance", "admin"), bad: fc.constantFrom("owner", "Admin", "") },
    name: { good: fc.string({ minLength: 1, maxLength: 80 }), bad: fc.constantFrom("", "   ", "x".repeat(81)) },
    id: { good: fc.uuid(), bad: fc.string({ maxLength: 30 }) },
    ids: { good: fc.constantFrom("evt_1NotRecorded", "evt_does_not_exist"), bad: fc.constantFrom("", " ") },
    slug: { good: fc.constantFrom("default", "spring-appeal", "year-end"), bad: fc.constantFrom("../x", "", "Spring Appeal", "new", "x".repeat(41)) },
    active: { good: fc.constantFrom("true", "false"), bad: fc.constantFrom("maybe", "") },
    mode: { good: fc.constantFrom("create", "update"), bad: fc.constantFrom("delete", "") },
    from: { good: fc.constantFrom("2026-01-01", "2026-11-01"), bad: fc.oneof(day, fc.constantFrom("2026-02-30", "2026-13-01", "")) },
    to: { good: fc.constantFrom("2026-12-31", "2027-01-31"), bad: fc.oneof(day, fc.constantFrom("2099-01-01", "yesterday")) },
    goalAmount: { good: fc.constantFrom("", "1000", "2500.50"), bad: fc.constantFrom("-5", "1e99", "0") },
    goalCurrency: { good: fc.constantFrom("", "eur"), bad: fc.constantFrom("jpy", "EUR") },
    startsOn: { good: fc.constantFrom("", "2026-01-01"), bad: fc.constantFrom("2026-02-30", "soon") },
    endsOn: { good: fc.constantFrom("", "2027-12-31"), bad: fc.constantFrom("2020-01-01", "later") },
    "copy.en.headline": { good: fc.string({ maxLength: 80 }), bad: fc.constant("x".repeat(81)) },
    "copy.ru.appeal": { good: fc.string({ maxLength: 300 }), bad: fc.constant("я".repeat(301)) },
    ...presets,
  };
}

/**
 * A form as a browser could post it: its own fields, each mostly as the page sends it, sometimes
 * near its shape but wrong, sometimes anything at all or missing; and now and then a field of
 * another form or none, repeated fields, and Next's own $ACTION_ fields.
 */
function arbitraryForm(fields: string[]): fc.Arbitrary<Array<[string, string]>> {
  const values = fieldValues();
  const own = fc.tuple(
    ...fields.map((key) =>
      fc
        .oneof({ arbitrary: values[key]!.good, weight: 6 }, { arbitrary: values[key]!.bad, weight: 2 }, { arbitrary: weird, weight: 1 }, { arbitrary: fc.constant(null), weight: 1 })
        .map((value): Array<[string, string]> => (value === null ? [] : [[key, value]])),
    ),
  );
  const extra = fc.array(
    fc.tuple(fc.constantFrom(...Object.keys(values), "$ACTION_ID_0", "unexpected"), weird).map(([key, value]): [string, string] => [key, value]),
    { maxLength: 3 },
  );

  return fc.tuple(own, extra).map(([entries, more]) => [...entries.flat(), ...more]);
}

type Outcome = { kind: "state"; state: ActionState<unknown> } | { kind: "redirect"; to: string } | { kind: "refused"; status: number };

/** A server action as a form post calls it; what Next's thrown control flow (a redirect, a 403) means to a browser. */
async function post(run: ServerAction, fields: Array<[string, string]>): Promise<Outcome> {
  const form = new FormData();
  for (const [key, value] of fields) form.append(key, value);
  try {
    return { kind: "state", state: await run(null, form) };
  } catch (error) {
    const flow = controlFlowOf(error);
    if (!flow) throw error;

    return flow;
  }
}

describe(`every server action, fuzzed on ${database.kind}: a bad form is refused with what was wrong and writes nothing, never an internal error`, () => {
  it.each(ACTIONS)("$name", async ({ name, run, fields }) => {
    await fc.assert(
      fc.asyncProperty(arbitraryForm(fields), fc.oneof({ arbitrary: fc.constantFrom("owner", "admin"), weight: 3 }, fc.constantFrom("none", "garbage", "stranger")), async (form, who) => {
        cookie.value = { none: null, garbage: "not-a-session-token", owner: ownerSession, stranger: otherSession, admin: adminSession }[who];
        const before = await snapshot();

        const outcome = await post(run, form);

        const what = `${name} as ${who} with ${JSON.stringify(form).slice(0, 400)}`;
        if (outcome.kind === "redirect") {
          // A success goes back to a page of ours (or to Stripe's card page), never elsewhere.
          expect(outcome.to, what).toMatch(/^\/(manage|account)|^https?:\/\/(localhost|127\.0\.0\.1)[:/]/);
          return;
        }
        if (outcome.kind === "refused") {
          expect(outcome.status, what).toBeGreaterThanOrEqual(400);
          expect(outcome.status, what).toBeLessThan(500);
          expect(await snapshot(), `${what} was refused yet wrote`).toEqual(before);
          return;
        }
        const { state } = outcome;
        expect(state, what).not.toBeNull();
        if (state!.ok) return;
        expect(state!.code, `${what}: ${state!.formError}`).not.toBe("INTERNAL");
        const shown = [state!.formError ?? "", ...Object.values(state!.fieldErrors)];
        // A refusal says what was wrong, in words we wrote.
        expect(shown.join("").trim().length, `${what} was refused without a reason`).toBeGreaterThan(0);
        for (const message of shown) expect(message, what).not.toMatch(INTERNALS);
        expect(await snapshot(), `${what} was refused (${state!.code}) yet wrote`).toEqual(before);
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});
