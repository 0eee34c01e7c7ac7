import { randomUUID } from "node:crypto";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import AuditPage from "@/app/finance/audit/page";
import { grantRoleAction, revokeRoleAction } from "@/app/finance/staff/actions";
import StaffForbidden from "@/app/finance/staff/forbidden";
import StaffPage from "@/app/finance/staff/page";
import { getDb } from "@/db";
import { staffMembers } from "@/db/schema";
import { auditLines, grantRole, listStaff, revokeRole } from "@/lib/staff/manage";
import { audit, requireStaff, staffOf } from "@/lib/staff/staff";
import { type Actor, nobody } from "@/lib/supporters/actor";
import { signedIn, signedInSession } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { auditIds, auditSince, pageOutcome, post } from "../../support/staff";

// The session cookie the server actions and the pages read (lib/auth/current-actor.ts): the test sets whose it is.
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
const PAGE = "/finance/staff";
const staffRows = () => getDb().select().from(staffMembers).orderBy(staffMembers.email);
const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;
const signInAs = async (email: string | null) => {
  session.value = email ? (await signedInSession(email)).token : null;
};

describe(`staff roles on ${database.kind}`, () => {
  let admin: Actor;

  beforeAll(async () => {
    admin = await signedIn(ADMIN);
  });

  it("an admin grants a role, changes it and revokes it: the person's role changes at once, one audit line each", async () => {
    const email = unique("grant");
    const person = await signedIn(email);
    expect(await staffOf(person, getDb())).toBeNull();

    let seen = await auditIds();
    await grantRole(admin, { email: ` ${email.toUpperCase()} `, role: "finance" }, PAGE);
    expect(await staffOf(person, getDb())).toEqual({ email, role: "finance", source: "granted" });
    await expect(requireStaff(person, "finance", getDb())).resolves.toMatchObject({ role: "finance" });
    await expect(requireStaff(person, "admin", getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await auditSince(seen)).toEqual([
      expect.objectContaining({ actorEmail: ADMIN, actorRole: "admin", action: "staff.grant", target: email, page: PAGE, details: { role: "finance", previous: null } }),
    ]);

    seen = await auditIds();
    await grantRole(admin, { email, role: "admin" }, PAGE);
    expect(await staffOf(person, getDb())).toMatchObject({ role: "admin" });
    // The same role again changes nothing and logs nothing.
    await grantRole(admin, { email, role: "admin" }, PAGE);
    expect(await auditSince(seen)).toEqual([expect.objectContaining({ action: "staff.grant", target: email, details: { role: "admin", previous: "finance" } })]);
    expect((await listStaff(admin)).granted).toContainEqual(expect.objectContaining({ email, role: "admin", grantedBy: ADMIN }));

    seen = await auditIds();
    await revokeRole(admin, email, PAGE);
    expect(await staffOf(person, getDb())).toBeNull();
    await expect(requireStaff(person, "finance", getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await auditSince(seen)).toEqual([expect.objectContaining({ actorEmail: ADMIN, action: "staff.revoke", target: email, page: PAGE, details: { role: "admin" } })]);
    await expect(revokeRole(admin, email, PAGE)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await auditSince(seen)).toHaveLength(1);
  });

  it("refuses everyone but admins (finance staff, a supporter, a manage link, nobody) and writes nothing", async () => {
    const financeEmail = unique("finance");
    const grantedEmail = unique("granted");
    await grantRole(admin, { email: financeEmail, role: "finance" }, PAGE);
    await grantRole(admin, { email: grantedEmail, role: "finance" }, PAGE);
    const rows = await staffRows();
    const seen = await auditIds();
    const actors: Actor[] = [await signedIn(financeEmail), await signedIn(unique("supporter")), { kind: "manage_link", recurringGiftId: randomUUID() }, nobody];
    for (const actor of actors) {
      await expect(listStaff(actor)).rejects.toMatchObject({ code: "FORBIDDEN", message: "This is for the newsroom's admins." });
      await expect(auditLines(actor)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(grantRole(actor, { email: unique("new"), role: "admin" }, PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(grantRole(actor, { email: "not an address", role: "admin" }, PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(revokeRole(actor, grantedEmail, PAGE)).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await staffRows()).toEqual(rows);
    expect(await auditSince(seen)).toEqual([]);
  });

  it("an admin cannot take their own role away; another admin can", async () => {
    const email = unique("second-admin");
    await grantRole(admin, { email, role: "admin" }, PAGE);
    const second = await signedIn(email);
    const seen = await auditIds();
    await expect(revokeRole(second, email.toUpperCase(), PAGE)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(revokeRole(admin, ADMIN, PAGE)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await staffOf(second, getDb())).toMatchObject({ role: "admin" });
    expect(await auditSince(seen)).toEqual([]);
    await revokeRole(admin, email, PAGE);
    expect(await staffOf(second, getDb())).toBeNull();
  });

  it("cannot grant a configured admin a role (ADMIN_EMAILS decides theirs), nor take a bad address or role; nothing is written", async () => {
    const rows = await staffRows();
    const seen = await auditIds();
    for (const email of [ADMIN, "Admin@Example.ORG"]) {
      await expect(grantRole(admin, { email, role: "finance" }, PAGE)).rejects.toMatchObject({ code: "CONFLICT", details: { fieldErrors: { email: expect.any(String) } } });
    }
    for (const input of [
      { email: "", role: "finance" },
      { email: "not an address", role: "finance" },
      { email: "a@b", role: "finance" },
      { email: unique("role"), role: "owner" },
    ]) {
      await expect(grantRole(admin, input as { email: string; role: "finance" }, PAGE)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    }
    expect(await staffRows()).toEqual(rows);
    expect(await auditSince(seen)).toEqual([]);
    expect(await staffOf(admin, getDb())).toEqual({ email: ADMIN, role: "admin", source: "configuration" });
  });

  it("reads the audit log newest first, a page at a time, losing no line that shares its time with another", async () => {
    const staff = (await staffOf(admin, getDb()))!;
    const marker = randomUUID();
    // One transaction: five lines at the very same now().
    await getDb().transaction(async (tx) => {
      for (let i = 0; i < 5; i++) await audit(tx, staff, { action: "test.line", target: `${marker}-${i}`, page: "/test" });
    });
    await audit(getDb(), staff, { action: "test.line", target: `${marker}-last`, page: "/test" });
    const all = await auditLines(admin, { limit: 500 });
    const paged: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await auditLines(admin, { before, limit: 2 });
      if (page.length === 0) break;
      paged.push(...page.map((line) => line.id));
      before = page.at(-1)!.id;
    }
    expect(paged).toEqual(all.map((line) => line.id));
    expect(all[0]).toMatchObject({ target: `${marker}-last` });
    expect(all.filter((line) => line.target?.startsWith(marker))).toHaveLength(6);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(all[i]!.at.getTime());
  });

  it("the pages' forms: an admin grants and revokes from /finance/staff; the pages show staff and the log; others are refused", async () => {
    await signInAs(ADMIN);
    const email = unique("form");
    const seen = await auditIds();
    expect(await post(grantRoleAction, { email: email.toUpperCase(), role: "finance" })).toEqual({ ok: true, data: { email, role: "finance" } });
    expect(await auditSince(seen)).toEqual([expect.objectContaining({ actorEmail: ADMIN, action: "staff.grant", target: email, page: PAGE })]);

    const page = renderToStaticMarkup(await StaffPage());
    expect(page).toContain('<h1 id="staff-heading">Staff</h1>');
    expect(page).toMatch(/data-testid="configured-admins"><li>admin@example.org<\/li>/);
    expect(page).toContain(`<th scope="row">${email}</th><td>finance</td><td>${ADMIN}</td>`);
    expect(page).toContain(`name="email" value="${email}"`);
    for (const id of page.matchAll(/<(?:input|select|textarea)[^>]* id="([^"]+)"/g)) expect(page).toContain(`for="${id[1]}"`);

    const bad = await post(grantRoleAction, { email: "nope", role: "finance" });
    expect(bad).toMatchObject({ ok: false, code: "INVALID_INPUT", fieldErrors: { email: "Enter an email address, like name@example.org" } });
    // Kept as sign-in keeps the address (NFKC, lower case), so the role is found for whoever signs in with it.
    const wide = unique("wide");
    expect(await post(grantRoleAction, { email: `Ｗ${wide.slice(1).replace("@", "＠")}`, role: "finance" })).toEqual({ ok: true, data: { email: wide, role: "finance" } });
    expect(await post(revokeRoleAction, { email: wide })).toEqual({ ok: true, data: null });
    expect(await post(grantRoleAction, { email: ADMIN, role: "finance" })).toMatchObject({ ok: false, code: "CONFLICT", fieldErrors: { email: expect.any(String) } });
    expect(await post(revokeRoleAction, { email: ADMIN })).toMatchObject({ ok: false, code: "CONFLICT", formError: expect.stringContaining("your own role") });

    const beforeRevoke = await auditIds();
    expect(await post(revokeRoleAction, { email })).toEqual({ ok: true, data: null });
    expect(await auditSince(beforeRevoke)).toEqual([expect.objectContaining({ actorEmail: ADMIN, action: "staff.revoke", target: email, page: PAGE })]);
    expect(renderToStaticMarkup(await StaffPage())).not.toContain(`<th scope="row">${email}</th>`);

    const log = renderToStaticMarkup(await AuditPage({ searchParams: Promise.resolve({}) }));
    expect(log).toContain('<h1 id="audit-heading">Audit log</h1>');
    expect(log).toContain("<code>staff.revoke</code>");
    expect(log.indexOf("staff.revoke")).toBeLessThan(log.indexOf("staff.grant"));

    const rows = await staffRows();
    const afterAdmin = await auditIds();
    const financeEmail = unique("form-finance");
    await grantRole(admin, { email: financeEmail, role: "finance" }, PAGE);
    const grantedLines = await auditIds();
    for (const who of [financeEmail, unique("form-supporter"), null]) {
      await signInAs(who);
      expect(await post(grantRoleAction, { email: "nope", role: "admin" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
      expect(await post(revokeRoleAction, { email: financeEmail })).toMatchObject({ ok: false, code: "FORBIDDEN" });
      const auditPage = () => AuditPage({ searchParams: Promise.resolve({}) });
      expect(await pageOutcome(StaffPage)).toEqual(who ? { status: 403 } : { redirectedTo: "/sign-in?return=%2Ffinance%2Fstaff" });
      expect(await pageOutcome(auditPage)).toEqual(who ? { status: 403 } : { redirectedTo: "/sign-in?return=%2Ffinance%2Faudit" });
    }
    // The 403's page says what it is, and nothing of what is behind it.
    const refused = renderToStaticMarkup(StaffForbidden());
    expect(refused).toContain("This is for the newsroom&#x27;s admins");
    expect(refused).not.toContain(ADMIN);
    const after = await staffRows();
    expect(after.filter((row) => row.email !== financeEmail)).toEqual(rows);
    expect(after.filter((row) => row.email === financeEmail)).toEqual([expect.objectContaining({ role: "finance", grantedBy: ADMIN })]);
    expect(await auditSince(afterAdmin)).toHaveLength(1);
    expect(await auditSince(grantedLines)).toEqual([]);
    session.value = null;
  });
});
