import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { replayAction } from "@/app/finance/inbox/actions";
import InboxPage from "@/app/finance/inbox/page";
import { getDb } from "@/db";
import { stripeEvents } from "@/db/schema";
import { inboxCounts, inboxEvents, redactError, replayEvents } from "@/lib/finance/inbox";
import { addDays } from "@/lib/finance/period";
import { grantRole } from "@/lib/staff/manage";
import { type Actor, nobody } from "@/lib/supporters/actor";
import { signedIn, signedInSession } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { giveOnce } from "../../support/gifts";
import { clearLedger, drainUntilSettled, ledgerSnapshot } from "../../support/ledger";
import { deliver, usePrivateSandbox } from "../../support/stripe";
import { auditIds, auditSince, pageOutcome, post } from "../../support/staff";

// The session cookie the page and the action read (lib/auth/current-actor.ts): the test sets whose it is.
const session = vi.hoisted(() => ({ value: null as string | null }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  cookies: (await import("../../support/next")).cookieJarOf(session),
}));
vi.mock("next/cache", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  revalidatePath: () => {},
}));
vi.stubEnv("__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS", "true");

// Its own stand-in: the inbox holds this file's events only, and replays read them back from it.
usePrivateSandbox();
const database = useTestDatabase();

const ADMIN = "admin@example.org";
const PAGE = "/finance/inbox";
const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;
const inbox = () => getDb().select().from(stripeEvents);
const row = async (id: string) => (await getDb().select().from(stripeEvents).where(eq(stripeEvents.id, id)))[0]!;
const objectIdOf = (event: Stripe.Event) => (event.data.object as { id: string }).id;
// Every event in the tests was received today by the database's clock: a period around it.
const todayPeriod = async () => {
  const result = (await getDb().execute(sql`select to_char(now() at time zone 'UTC', 'YYYY-MM-DD') as today`)) as unknown;
  const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
  const today = (rows[0] as { today: string }).today;

  return { from: today, to: today };
};

describe(`the webhook inbox on ${database.kind}`, () => {
  let admin: Actor;
  let finance: Actor;
  let events: Stripe.Event[];
  let financeEmail: string;
  const signInAs = async (email: string | null) => {
    session.value = email ? (await signedInSession(email)).token : null;
  };

  beforeAll(async () => {
    await clearLedger();
    admin = await signedIn(ADMIN);
    financeEmail = unique("finance");
    await grantRole(admin, { email: financeEmail, role: "finance" }, "/finance/staff");
    finance = await signedIn(financeEmail);
    events = [...(await giveOnce({ email: unique("one"), amount: 2500 })).events, ...(await giveOnce({ email: unique("two"), amount: 4000 })).events];
    for (const response of await deliver(events)) expect(response.status).toBe(200);
    await drainUntilSettled();
  });

  it("lists every event newest first with what became of it, filters, and pages by (received, id)", async () => {
    const all = await inboxEvents(finance, { limit: 200 }, getDb());
    expect(all.events.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(all.next).toBeNull();
    const received = all.events.map((e) => e.receivedAt.getTime());
    expect(received).toEqual([...received].sort((a, b) => b - a));
    const completed = events.filter((e) => e.type === "checkout.session.completed");
    const shownCompleted = all.events.filter((e) => e.type === "checkout.session.completed");
    expect(shownCompleted).toHaveLength(completed.length);
    expect(shownCompleted).toEqual(
      expect.arrayContaining(
        completed.map((e) =>
          expect.objectContaining({
            id: e.id,
            status: "processed",
            attempts: 1,
            lastError: null,
            livemode: false,
            processedAt: expect.any(Date),
          }),
        ),
      ),
    );
    // Types we do not act on are stored as ignored.
    expect(all.events.find((e) => e.type === "payment_intent.created")).toMatchObject({ status: "ignored", attempts: 0 });

    expect((await inboxEvents(finance, { status: "processed" }, getDb())).events.every((e) => e.status === "processed")).toBe(true);
    const byType = await inboxEvents(finance, { type: "checkout." }, getDb());
    expect(byType.events.map((e) => e.id).sort()).toEqual(completed.map((e) => e.id).sort());
    const one = completed[0]!;
    expect((await inboxEvents(finance, { q: one.id.slice(4, 16) }, getDb())).events.map((e) => e.id)).toEqual([one.id]);
    const today = await todayPeriod();
    expect((await inboxEvents(finance, { from: today.from, to: today.to, limit: 200 }, getDb())).events).toHaveLength(events.length);
    expect((await inboxEvents(finance, { to: "2001-01-01" }, getDb())).events).toEqual([]);

    // Keyset pages: three at a time, no event twice, none left out, in the same order.
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await inboxEvents(finance, { limit: 3, after }, getDb());
      paged.push(...page.events.map((e) => e.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(paged).toEqual(all.events.map((e) => e.id));

    await expect(inboxEvents(finance, { status: "lost" }, getDb())).rejects.toMatchObject({
      code: "INVALID_INPUT",
      details: { fieldErrors: { status: expect.any(String) } },
    });
    await expect(inboxEvents(finance, { after: "not-a-cursor" }, getDb())).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(inboxEvents(finance, { q: "evt_%" }, getDb())).rejects.toMatchObject({ code: "INVALID_INPUT" });

    const counts = await inboxCounts(finance, today, getDb());
    expect(counts).toMatchObject({
      pending: 0,
      failed: 0,
      total: events.length,
    });
    expect(counts.processed + counts.ignored).toBe(events.length);
  });

  it("replaying every applied event re-reads them from Stripe and leaves the ledger as it was; one audit line", async () => {
    const before = await ledgerSnapshot();
    const replayable = (await inbox()).filter((e) => e.status === "processed");
    expect(replayable.length).toBeGreaterThan(0);
    // Their bodies were dropped once applied.
    expect(replayable.every((e) => e.payload === null)).toBe(true);
    const seen = await auditIds();

    const outcome = await replayEvents(admin, { ids: replayable.map((e) => e.id), drain: true }, PAGE);
    expect(outcome.queued).toBe(replayable.length);
    expect(outcome.applied).toMatchObject({ failed: 0 });
    await drainUntilSettled();
    for (const e of replayable)
      expect(await row(e.id)).toMatchObject({
        status: "processed",
        attempts: 1,
        lastError: null,
        payload: null,
      });
    expect(await ledgerSnapshot()).toEqual(before);
    expect(await auditSince(seen)).toEqual([
      expect.objectContaining({
        actorEmail: ADMIN,
        action: "inbox.replay",
        page: PAGE,
        details: { requested: replayable.length, queued: replayable.length },
      }),
    ]);
  });

  it("a failing event shows its error; once its cause is fixed, replaying the parked event applies it", async () => {
    const gift = await giveOnce({ email: unique("late"), amount: 1200 });
    const chargeUpdated = gift.events.find((e) => e.type === "charge.updated")!;
    const rest = gift.events.filter((e) => e !== chargeUpdated);
    // The fee arrives, but the payment it belongs to never did: the event waits, and is parked once too old.
    await deliver([chargeUpdated]);
    await drainUntilSettled(1).catch(() => {});
    await getDb()
      .update(stripeEvents)
      .set({
        receivedAt: sql`now() - interval '73 hours'`,
        nextAttemptAt: sql`now()`,
      })
      .where(eq(stripeEvents.id, chargeUpdated.id));
    await drainUntilSettled();

    const [shown] = (await inboxEvents(finance, { status: "failed" }, getDb())).events;
    expect(shown).toMatchObject({
      id: chargeUpdated.id,
      status: "failed",
      objectId: objectIdOf(chargeUpdated),
    });
    expect(shown!.attempts).toBeGreaterThanOrEqual(1);
    expect(shown!.lastError).toContain(`payment for charge ${objectIdOf(chargeUpdated)} is not recorded yet`);
    // Counted by when it was received: three days ago.
    const today = await todayPeriod();
    expect((await inboxCounts(finance, today, getDb())).failed).toBe(0);
    expect((await inboxCounts(finance, { from: addDays(today.from, -5), to: today.to }, getDb())).failed).toBe(1);

    // The cause: the payment's own events. Then the parked event is replayed, and applies.
    await deliver(rest);
    await drainUntilSettled();
    expect((await row(chargeUpdated.id)).status).toBe("failed");
    expect(await replayEvents(admin, { ids: [chargeUpdated.id] }, PAGE)).toEqual({ queued: 1, applied: null });
    expect(await row(chargeUpdated.id)).toMatchObject({
      status: "pending",
      attempts: 0,
    });
    await drainUntilSettled();
    expect(await row(chargeUpdated.id)).toMatchObject({
      status: "processed",
      attempts: 1,
      lastError: null,
    });
  });

  it("refuses bad ids by name and changes nothing; refuses types we do not act on", async () => {
    const before = await inbox();
    const seen = await auditIds();
    const known = before.find((e) => e.status === "processed")!.id;
    await expect(replayEvents(admin, { ids: [known, "evt_nothere"] }, PAGE)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("evt_nothere"),
    });
    await expect(replayEvents(admin, { ids: [known, "drop table"] }, PAGE)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("drop table"),
    });
    await expect(replayEvents(admin, { ids: [] }, PAGE)).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    const ignoredType = before.find((e) => e.type === "payment_intent.created")!.id;
    await expect(replayEvents(admin, { ids: [ignoredType] }, PAGE)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining(ignoredType),
    });
    expect(await inbox()).toEqual(before);
    expect(await auditSince(seen)).toEqual([]);
  });

  it("finance staff read but cannot replay; a supporter and nobody can do neither", async () => {
    const supporter = await signedIn(unique("reader"));
    const id = (await inbox())[0]!.id;
    const before = await inbox();
    await expect(replayEvents(finance, { ids: [id] }, PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
    for (const who of [supporter, nobody]) {
      await expect(inboxEvents(who, {}, getDb())).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      await expect(inboxCounts(who, await todayPeriod(), getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(replayEvents(who, { ids: [id] }, PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await inbox()).toEqual(before);
  });

  it("the page: admins get a checkbox per row and Replay selected; finance staff read only; others are refused", async () => {
    const search = (params: Record<string, string>) => ({
      searchParams: Promise.resolve(params),
    });
    const completed = events.find((e) => e.type === "checkout.session.completed")!;

    await signInAs(ADMIN);
    const asAdmin = await pageOutcome(() => InboxPage(search({ type: "checkout.session" })));
    if (!("html" in asAdmin)) throw new Error(JSON.stringify(asAdmin));
    expect(asAdmin.html).toContain(completed.id);
    expect(asAdmin.html).toContain(`aria-label="Replay ${completed.id}"`);
    expect(asAdmin.html).toContain("Replay selected");
    expect(asAdmin.html).not.toContain("payment_intent.created");
    const replayed = await post(replayAction, { ids: completed.id });
    expect(replayed).toEqual({
      ok: true,
      data: { queued: 1, applied: { processed: 1, failed: 0 } },
    });
    const badFilter = await pageOutcome(() => InboxPage(search({ status: "lost" })));
    expect("html" in badFilter && badFilter.html).toMatch(/role="alert"[^>]*>status must be one of/);

    await signInAs(financeEmail);
    const asFinance = await pageOutcome(() => InboxPage(search({})));
    if (!("html" in asFinance)) throw new Error(JSON.stringify(asFinance));
    expect(asFinance.html).toContain(completed.id);
    expect(asFinance.html).not.toContain('type="checkbox"');
    expect(asFinance.html).not.toContain("Replay selected");
    expect(await post(replayAction, { ids: completed.id })).toMatchObject({
      ok: false,
      code: "FORBIDDEN",
    });

    await signInAs(unique("reader"));
    expect(await pageOutcome(() => InboxPage(search({})))).toEqual({
      status: 403,
    });
    await signInAs(null);
    expect(await pageOutcome(() => InboxPage(search({})))).toEqual({
      redirectedTo: expect.stringContaining("/sign-in"),
    });
  });

  it("shows errors shortened, without keys, secrets or addresses", () => {
    const shown = redactError(
      `Stripe said no to sk_live_abc123XYZ and whsec_0123abc for ana@example.org at https://x.example/m?token=secret&x=1 ${"x".repeat(400)}`,
    )!;
    expect(shown).not.toMatch(/abc123XYZ|0123abc|ana@example|secret/);
    expect(shown).toContain("sk_live_…");
    expect(shown.length).toBeLessThanOrEqual(300);
  });
});
