import { createHash, randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createTokenAction, revokeTokenAction } from "@/app/finance/tokens/actions";
import TokensPage from "@/app/finance/tokens/page";
import { getDb } from "@/db";
import { financeApiTokens } from "@/db/schema";
import { createToken, listTokens, revokeToken, verifyBearer } from "@/lib/finance/tokens";
import { grantRole } from "@/lib/staff/manage";
import { type Actor, nobody } from "@/lib/supporters/actor";
import { signedIn, signedInSession } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { auditIds, auditSince, pageOutcome, post } from "../../support/staff";

// The session cookie the server actions and the page read (lib/auth/current-actor.ts): the test sets whose it is.
const session = vi.hoisted(() => ({ value: null as string | null }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  cookies: (await import("../../support/next")).cookieJarOf(session),
}));
// Revalidating needs Next's request store, which a direct call of the action has not.
vi.mock("next/cache", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), revalidatePath: () => {} }));
// As next.config.ts turns it on for the app: forbidden() answers a 403.
vi.stubEnv("__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS", "true");

const database = useTestDatabase();

// The admin of the tests' environment: ADMIN_EMAILS is unset, so the local default.
const ADMIN = "admin@example.org";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const tokenRows = () => getDb().select().from(financeApiTokens);
const renderPage = async () => {
  const outcome = await pageOutcome(TokensPage);
  if (!("html" in outcome)) throw new Error(`the page answered ${JSON.stringify(outcome)}`);

  return outcome.html;
};

describe(`finance API tokens on ${database.kind}`, () => {
  let admin: Actor;
  let finance: Actor;
  let supporter: Actor;

  beforeAll(async () => {
    admin = await signedIn(ADMIN);
    await grantRole(admin, { email: "tokens-finance@example.org", role: "finance" }, "/test");
    finance = await signedIn("tokens-finance@example.org");
    supporter = await signedIn("tokens-supporter@example.org");
  });

  it("an admin makes a token: shown once, kept as its SHA-256 and first 12 characters; the bearer header opens it until revoked", async () => {
    const seen = await auditIds();
    const created = await createToken(admin, { name: "  Ledger sync  " }, "/finance/tokens");
    expect(created.token).toMatch(/^rf_fin_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token.slice("rf_fin_".length), "base64url")).toHaveLength(32);
    expect(created).toMatchObject({ name: "Ledger sync", prefix: created.token.slice(0, 12) });

    const [row] = await getDb().select().from(financeApiTokens).where(eq(financeApiTokens.id, created.id));
    expect(row).toMatchObject({ name: "Ledger sync", tokenHash: sha256(created.token), prefix: created.token.slice(0, 12), createdBy: ADMIN, lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(row)).not.toContain(created.token);

    const listed = (await listTokens(admin)).find((t) => t.id === created.id);
    expect(listed).toEqual({ id: created.id, name: "Ledger sync", prefix: created.token.slice(0, 12), createdBy: ADMIN, createdAt: row!.createdAt, lastUsedAt: null, revokedAt: null, revokedBy: null });
    expect(await auditSince(seen)).toEqual([
      expect.objectContaining({ actorEmail: ADMIN, actorRole: "admin", action: "token.create", target: created.id, page: "/finance/tokens", details: { name: "Ledger sync", prefix: created.token.slice(0, 12) } }),
    ]);

    expect(await verifyBearer(`Bearer ${created.token}`)).toEqual({ tokenId: created.id, name: "Ledger sync" });
    // The scheme's name is case-insensitive (RFC 9110); nothing else about the header is.
    expect(await verifyBearer(`bearer ${created.token}`)).toEqual({ tokenId: created.id, name: "Ledger sync" });
    const flipped = created.token.slice(0, -1) + (created.token.endsWith("A") ? "B" : "A");
    for (const header of [null, "", created.token, `Basic ${created.token}`, `Bearer ${flipped}`, `Bearer ${created.token}x`, `Bearer ${sha256(created.token)}`, `Bearer ${created.token.slice(0, 12)}`]) {
      expect(await verifyBearer(header)).toBeNull();
    }

    const beforeRevoke = await auditIds();
    await revokeToken(admin, created.id, "/finance/tokens");
    expect(await verifyBearer(`Bearer ${created.token}`)).toBeNull();
    const [revoked] = await getDb().select().from(financeApiTokens).where(eq(financeApiTokens.id, created.id));
    expect(revoked).toMatchObject({ revokedBy: ADMIN, revokedAt: expect.any(Date) });
    expect(await auditSince(beforeRevoke)).toEqual([
      expect.objectContaining({ actorEmail: ADMIN, actorRole: "admin", action: "token.revoke", target: created.id, page: "/finance/tokens" }),
    ]);

    // Revoking it again changes nothing and logs nothing; an id that is no token is not found.
    const afterRevoke = await auditIds();
    await revokeToken(admin, created.id, "/finance/tokens");
    expect((await getDb().select().from(financeApiTokens).where(eq(financeApiTokens.id, created.id)))[0]).toEqual(revoked);
    await expect(revokeToken(admin, randomUUID(), "/finance/tokens")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(revokeToken(admin, "not-a-token", "/finance/tokens")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await auditSince(afterRevoke)).toEqual([]);
  });

  it("records a token's last use at most once a minute, by the database's clock", async () => {
    const { id, token } = await createToken(admin, { name: "Poller" }, "/finance/tokens");
    const lastUsed = async () => (await getDb().select({ at: financeApiTokens.lastUsedAt }).from(financeApiTokens).where(eq(financeApiTokens.id, id)))[0]!.at;
    await verifyBearer(`Bearer ${token}`);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await verifyBearer(`Bearer ${token}`);
    expect(await lastUsed()).toEqual(first);
    // A minute and more ago: the next use is recorded.
    await getDb().update(financeApiTokens).set({ lastUsedAt: sql`now() - interval '61 seconds'` }).where(eq(financeApiTokens.id, id));
    const old = await lastUsed();
    await verifyBearer(`Bearer ${token}`);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(old!.getTime());
  });

  it("refuses everyone but admins (finance staff, a supporter, a manage link, nobody) and writes nothing", async () => {
    const { id } = await createToken(admin, { name: "Kept" }, "/finance/tokens");
    const rows = await tokenRows();
    const seen = await auditIds();
    const link: Actor = { kind: "manage_link", recurringGiftId: randomUUID() };
    for (const actor of [finance, supporter, link, nobody]) {
      await expect(createToken(actor, { name: "Mine" }, "/finance/tokens")).rejects.toMatchObject({ code: "FORBIDDEN", message: "This is for the newsroom's admins." });
      await expect(listTokens(actor)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(revokeToken(actor, id, "/finance/tokens")).rejects.toMatchObject({ code: "FORBIDDEN" });
      // Refused before the input is read: a bad name or id says nothing more to a stranger.
      await expect(createToken(actor, { name: "" }, "/finance/tokens")).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(revokeToken(actor, randomUUID(), "/finance/tokens")).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await tokenRows()).toEqual(rows);
    expect(await auditSince(seen)).toEqual([]);
  });

  it("answers a bad name with INVALID_INPUT and writes nothing", async () => {
    const rows = await tokenRows();
    const seen = await auditIds();
    for (const name of ["", "   ", "x".repeat(81)]) {
      await expect(createToken(admin, { name }, "/finance/tokens")).rejects.toMatchObject({ code: "INVALID_INPUT", details: { fieldErrors: { name: expect.any(String) } } });
    }
    expect(await tokenRows()).toEqual(rows);
    expect(await auditSince(seen)).toEqual([]);
    expect((await createToken(admin, { name: "y".repeat(80) }, "/finance/tokens")).name).toHaveLength(80);
  });

  it("the page's forms: an admin makes a token (shown once in the answer, never in the list) and revokes it; others are refused before their form is read", async () => {
    session.value = (await signedInSession(ADMIN)).token;
    const seen = await auditIds();
    const made = await post(createTokenAction, { name: "Accounts export" });
    if (!made?.ok) throw new Error(`not made: ${JSON.stringify(made)}`);
    expect(made.data.token).toMatch(/^rf_fin_/);
    expect(await verifyBearer(`Bearer ${made.data.token}`)).toEqual({ tokenId: made.data.id, name: "Accounts export" });
    expect(await auditSince(seen)).toEqual([expect.objectContaining({ actorEmail: ADMIN, action: "token.create", target: made.data.id, page: "/finance/tokens" })]);

    const page = await renderPage();
    expect(page).toContain('<h1 id="tokens-heading">API tokens</h1>');
    expect(page).toContain("Accounts export");
    expect(page).toContain(`<code>${made.data.prefix}…</code>`);
    expect(page).not.toContain(made.data.token);
    expect(page).not.toContain(sha256(made.data.token));
    for (const id of page.matchAll(/<(?:input|select|textarea)[^>]* id="([^"]+)"/g)) expect(page).toContain(`for="${id[1]}"`);

    expect(await post(createTokenAction, { name: " " })).toMatchObject({ ok: false, code: "INVALID_INPUT", fieldErrors: { name: expect.any(String) } });
    expect(await post(revokeTokenAction, { id: randomUUID() })).toMatchObject({ ok: false, code: "NOT_FOUND" });
    const beforeRevoke = await auditIds();
    expect(await post(revokeTokenAction, { id: made.data.id })).toEqual({ ok: true, data: null });
    expect(await verifyBearer(`Bearer ${made.data.token}`)).toBeNull();
    expect(await auditSince(beforeRevoke)).toEqual([expect.objectContaining({ actorEmail: ADMIN, action: "token.revoke", target: made.data.id, page: "/finance/tokens" })]);
    expect(await renderPage()).toMatch(/Revoked <time[^>]*>[^<]*<\/time> by admin@example.org/);

    const rows = await tokenRows();
    const afterAdmin = await auditIds();
    for (const who of ["tokens-finance@example.org", "tokens-supporter@example.org", null]) {
      session.value = who ? (await signedInSession(who)).token : null;
      expect(await post(createTokenAction, { name: "" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
      expect(await post(revokeTokenAction, { id: made.data.id })).toMatchObject({ ok: false, code: "FORBIDDEN" });
      // A 403 for the signed-in (app/finance/tokens/forbidden.tsx), sign-in and back for nobody.
      expect(await pageOutcome(TokensPage)).toEqual(who ? { status: 403 } : { redirectedTo: "/sign-in?return=%2Ffinance%2Ftokens" });
    }
    expect(await tokenRows()).toEqual(rows);
    expect(await auditSince(afterAdmin)).toEqual([]);
    session.value = null;
  });
});
