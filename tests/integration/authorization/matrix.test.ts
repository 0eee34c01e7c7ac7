import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET as accountExport } from "@/app/account/export/route";
import { GET as accountReceipt } from "@/app/account/receipt/route";
import { GET as accountStatement } from "@/app/account/statement/route";
import { GET as financeSummary } from "@/app/api/finance/summary/route";
import { GET as exportDisputes } from "@/app/finance/export/disputes/route";
import { GET as exportPayments } from "@/app/finance/export/payments/route";
import { GET as exportPayouts } from "@/app/finance/export/payouts/route";
import { GET as exportRefunds } from "@/app/finance/export/refunds/route";
import { rawQuery } from "@/db";
import { replayEvents } from "@/lib/finance/inbox";
import { createToken, listTokens, revokeToken } from "@/lib/finance/tokens";
import { auditLines, grantRole, listStaff } from "@/lib/staff/manage";
import { type Actor, nobody } from "@/lib/supporters/actor";
import { signedInSession } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { giveOnce } from "../../support/gifts";
import { clearLedger, drainUntilSettled } from "../../support/ledger";
import { controlFlowOf } from "../../support/next";
import { deliver } from "../../support/stripe";

// The session cookie the routes read (lib/auth/current-actor.ts), set per request.
const cookie = vi.hoisted(() => ({ value: null as string | null }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  cookies: (await import("../../support/next")).cookieJarOf(cookie),
}));

useTestDatabase();

type Who = "anonymous" | "supporter" | "another supporter" | "finance" | "admin" | "token" | "revoked token";
const WHO: Who[] = ["anonymous", "supporter", "another supporter", "finance", "admin", "token", "revoked token"];
const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;
const emails = { supporter: unique("supporter"), other: unique("other"), finance: unique("finance") };
const sessions: Partial<Record<Who, string>> = {};
const actors: Partial<Record<Who, Actor>> = {};
const bearers: Partial<Record<Who, string>> = {};
let paymentId = "";
// Whose money an answer shows: an address, or a payment's Stripe charge (the CSVs carry no address).
const marks = { mine: [] as string[], theirs: [] as string[] };
let paidYear = 0;
let paidDay = "";

beforeAll(async () => {
  await clearLedger();
  const mine = await giveOnce({ email: emails.supporter, amount: 1800 });
  const theirs = await giveOnce({ email: emails.other, amount: 2200 });
  await deliver([...mine.events, ...theirs.events]);
  await drainUntilSettled();
  const [payment] = await rawQuery<{ id: string; paid_at: Date }>(
    "select p.id, p.paid_at from payments p join supporters s on s.id = p.supporter_id where s.email = $1",
    [emails.supporter],
  );
  paymentId = payment!.id;
  const charges = await rawQuery<{ email: string; charge: string }>(
    "select s.email, p.stripe_charge_id as charge from payments p join supporters s on s.id = p.supporter_id",
    [],
  );
  marks.mine = [emails.supporter, ...charges.filter((row) => row.email === emails.supporter).map((row) => row.charge)];
  marks.theirs = [emails.other, ...charges.filter((row) => row.email === emails.other).map((row) => row.charge)];
  paidDay = new Date(payment!.paid_at).toISOString().slice(0, 10);
  paidYear = Number(paidDay.slice(0, 4));

  const admin = await signedInSession("admin@example.org");
  await grantRole(admin.actor, { email: emails.finance, role: "finance" }, "/finance/staff");
  for (const [who, email] of [
    ["finance", emails.finance],
    ["supporter", emails.supporter],
    ["another supporter", emails.other],
  ] as const) {
    const session = await signedInSession(email);
    sessions[who] = session.token;
    actors[who] = session.actor;
  }
  sessions.admin = admin.token;
  actors.admin = admin.actor;
  bearers.token = (await createToken(admin.actor, { name: "matrix" }, "/finance/tokens")).token;
  const revoked = await createToken(admin.actor, { name: "matrix revoked" }, "/finance/tokens");
  await revokeToken(admin.actor, revoked.id, "/finance/tokens");
  bearers["revoked token"] = revoked.token;
});

type Route = { name: string; handler: (request: Request) => Promise<Response>; url: () => string };
const ROUTES: Route[] = [
  { name: "GET /account/export", handler: () => accountExport(), url: () => "/account/export" },
  { name: "GET /account/receipt (the supporter's payment)", handler: accountReceipt, url: () => `/account/receipt?payment=${paymentId}` },
  { name: "GET /account/statement (the supporter's year)", handler: accountStatement, url: () => `/account/statement?year=${paidYear}` },
  { name: "GET /finance/export/payments", handler: exportPayments, url: () => `/finance/export/payments?from=${paidDay}&to=${paidDay}` },
  { name: "GET /finance/export/refunds", handler: exportRefunds, url: () => `/finance/export/refunds?from=${paidDay}&to=${paidDay}` },
  { name: "GET /finance/export/disputes", handler: exportDisputes, url: () => `/finance/export/disputes?from=${paidDay}&to=${paidDay}` },
  { name: "GET /finance/export/payouts", handler: exportPayouts, url: () => `/finance/export/payouts?from=${paidDay}&to=${paidDay}` },
  { name: "GET /api/finance/summary", handler: financeSummary, url: () => `/api/finance/summary?from=${paidDay}&to=${paidDay}&currency=eur` },
];

async function ask(route: Route, who: Who): Promise<{ status: number; text: string }> {
  cookie.value = sessions[who] ?? null;
  const headers = new Headers();
  if (bearers[who]) headers.set("authorization", `Bearer ${bearers[who]}`);
  try {
    const response = await route.handler(new Request(`http://localhost:3000${route.url()}`, { headers }));

    return { status: response.status, text: await response.text() };
  } catch (error) {
    const flow = controlFlowOf(error);
    if (flow?.kind !== "redirect") throw error;

    return { status: 307, text: flow.to };
  }
}

/**
 * Each cell: the status, and whose money the answer shows (+mine: the supporter's address or charge,
 * or on their receipt their 18.00; +theirs: the other supporter's). A supporter's own pages answer 404 to anyone else,
 * so a stranger cannot tell someone's receipt from no receipt; finance's downloads are 403 for all but
 * staff; the summary API takes a live bearer token and nothing else, not even an admin's session.
 */
const EXPECTED: Record<string, Record<Who, string>> = {
  "GET /account/export": { anonymous: "404", supporter: "200+mine", "another supporter": "200+theirs", finance: "200", admin: "200", token: "404", "revoked token": "404" },
  "GET /account/receipt (the supporter's payment)": { anonymous: "404", supporter: "200+mine", "another supporter": "404", finance: "404", admin: "404", token: "404", "revoked token": "404" },
  "GET /account/statement (the supporter's year)": { anonymous: "404", supporter: "200", "another supporter": "200", finance: "404", admin: "404", token: "404", "revoked token": "404" },
  "GET /finance/export/payments": { anonymous: "403", supporter: "403", "another supporter": "403", finance: "200+mine+theirs", admin: "200+mine+theirs", token: "403", "revoked token": "403" },
  "GET /finance/export/refunds": { anonymous: "403", supporter: "403", "another supporter": "403", finance: "200", admin: "200", token: "403", "revoked token": "403" },
  "GET /finance/export/disputes": { anonymous: "403", supporter: "403", "another supporter": "403", finance: "200", admin: "200", token: "403", "revoked token": "403" },
  "GET /finance/export/payouts": { anonymous: "403", supporter: "403", "another supporter": "403", finance: "200", admin: "200", token: "403", "revoked token": "403" },
  "GET /api/finance/summary": { anonymous: "401", supporter: "401", "another supporter": "401", finance: "401", admin: "401", token: "200", "revoked token": "401" },
};

describe("who may read what: every route that shows a gift or a figure, asked by everyone", () => {
  it.each(ROUTES)("$name", async (route) => {
    const seen: Partial<Record<Who, string>> = {};
    for (const who of WHO) {
      const { status, text } = await ask(route, who);
      const mine = marks.mine.some((mark) => text.includes(mark)) || (route.name.includes("receipt") && text.includes("18.00"));
      const theirs = marks.theirs.some((mark) => text.includes(mark));
      seen[who] = `${status}${mine ? "+mine" : ""}${theirs ? "+theirs" : ""}`;
    }
    expect(seen).toEqual(EXPECTED[route.name]);
  });
});

/** The staff actions, as their forms call them: the lib checks who asks, whatever the page did. */
const ACTIONS: Array<{ name: string; run: (actor: Actor) => Promise<unknown> }> = [
  { name: "grant a role", run: (actor) => grantRole(actor, { email: unique("granted"), role: "finance" }, "/finance/staff") },
  { name: "list staff", run: (actor) => listStaff(actor) },
  { name: "read the audit log", run: (actor) => auditLines(actor) },
  { name: "make an API token", run: (actor) => createToken(actor, { name: "made in the matrix" }, "/finance/tokens") },
  { name: "list API tokens", run: (actor) => listTokens(actor) },
  {
    name: "replay a webhook event",
    run: async (actor) => {
      const [event] = await rawQuery<{ id: string }>("select id from stripe_events where status = 'processed' order by id limit 1", []);

      return replayEvents(actor, { ids: [event!.id] }, "/finance/inbox");
    },
  },
];

// What a staff action could write: a refused one must leave all of it as it was.
const written = async () =>
  (
    await rawQuery<Record<string, number>>(
      `select (select count(*)::int from staff_members) staff, (select count(*)::int from finance_api_tokens) tokens,
         (select count(*)::int from audit_log) audit, (select count(*)::int from stripe_events where status = 'pending') pending`,
      [],
    )
  )[0];

describe("who may do what: the staff actions, done by everyone who has an actor", () => {
  it.each(ACTIONS)("$name: admins only, and a refusal writes nothing", async (action) => {
    const seen: Record<string, string> = {};
    for (const who of ["anonymous", "supporter", "another supporter", "finance", "admin"] as const) {
      const before = await written();
      try {
        await action.run(actors[who] ?? nobody);
        seen[who] = "done";
      } catch (error) {
        seen[who] = String((error as { code?: unknown }).code ?? error);
        expect(await written(), `${who} was refused yet something was written`).toEqual(before);
      }
    }
    expect(seen).toEqual({ anonymous: "FORBIDDEN", supporter: "FORBIDDEN", "another supporter": "FORBIDDEN", finance: "FORBIDDEN", admin: "done" });
  });
});
