import { desc, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { auditLog, staffMembers } from "@/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/supporters/actor";
import { fieldErrors } from "@/lib/validation";
import { type TGrantInput, ZGrant } from "./schemas";
import { audit, requireStaff, type StaffRole } from "./staff";

// The form's schema lives apart so the browser's form can import it without the database.
export { type TGrant, type TGrantInput, ZGrant } from "./schemas";

export type StaffListing = {
  configured: string[];
  granted: Array<{ email: string; role: StaffRole; grantedBy: string; grantedAt: Date }>;
};

/** Everyone with a staff role: the configured admins, then those granted one. Admins only. */
export async function listStaff(actor: Actor): Promise<StaffListing> {
  const db = getDb();
  await requireStaff(actor, "admin", db);
  const granted = await db.select().from(staffMembers).orderBy(staffMembers.email);

  return { configured: [...env().adminEmails], granted };
}

/**
 * Gives an address a role (or changes it), with the grant in the audit log in the same transaction.
 * The input is checked here too (INVALID_INPUT), whoever calls: the form's check is for the form.
 */
export async function grantRole(actor: Actor, raw: TGrantInput, page: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const admin = await requireStaff(actor, "admin", tx);
    const parsed = ZGrant.safeParse(raw);
    if (!parsed.success) throw new AppError("INVALID_INPUT", "The grant is not valid.", { fieldErrors: fieldErrors(parsed.error) });
    const input = parsed.data;
    if (env().adminEmails.includes(input.email)) {
      throw new AppError("CONFLICT", "This address is an admin by configuration (ADMIN_EMAILS); its role is changed there.", {
        fieldErrors: { email: "An admin by configuration (ADMIN_EMAILS)" },
      });
    }
    const [before] = await tx.select({ role: staffMembers.role }).from(staffMembers).where(eq(staffMembers.email, input.email)).for("update");
    if (before?.role === input.role) return;
    await tx
      .insert(staffMembers)
      .values({ email: input.email, role: input.role, grantedBy: admin.email })
      .onConflictDoUpdate({ target: staffMembers.email, set: { role: input.role, grantedBy: admin.email, grantedAt: new Date() } });
    await audit(tx, admin, { action: "staff.grant", target: input.email, page, details: { role: input.role, previous: before?.role ?? null } });
  });
}

/**
 * Takes a granted role away; the person's next request is refused (roles are read on every one).
 * An admin may not revoke themselves, so the house always keeps the one who acts.
 */
export async function revokeRole(actor: Actor, email: string, page: string): Promise<void> {
  const address = email.trim().toLowerCase();
  await getDb().transaction(async (tx) => {
    const admin = await requireStaff(actor, "admin", tx);
    if (address === admin.email) throw new AppError("CONFLICT", "You cannot take your own role away; another admin can.");
    const removed = await tx.delete(staffMembers).where(eq(staffMembers.email, address)).returning({ role: staffMembers.role });
    if (removed.length === 0) throw new AppError("NOT_FOUND", "No one with that address has a granted role.");
    await audit(tx, admin, { action: "staff.revoke", target: address, page, details: { role: removed[0]!.role } });
  });
}

export type AuditLine = typeof auditLog.$inferSelect;

/**
 * The audit log, newest first, a page at a time: `before` is the id of the last line of the
 * previous page. Paged by the line, not by its time: lines share a time (one transaction, or the
 * same microsecond), and a time in JavaScript loses the database's microseconds, so a page that
 * started at a time would skip lines. Admins only.
 */
export async function auditLines(actor: Actor, options: { before?: string; limit?: number } = {}): Promise<AuditLine[]> {
  const db = getDb();
  await requireStaff(actor, "admin", db);
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 500);
  const before = options.before && UUID.test(options.before) ? options.before : null;

  return db
    .select()
    .from(auditLog)
    .where(before ? sql`(${auditLog.at}, ${auditLog.id}) < (select a.at, a.id from audit_log a where a.id = ${before})` : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
