import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { auditLog, staffMembers } from "@/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/supporters/actor";

export type StaffRole = "finance" | "admin";

/** A signed-in member of staff, as every finance query and action takes them. */
export type Staff = { email: string; role: StaffRole; source: "configuration" | "granted" };

/**
 * The staff role of whoever asks: the addresses in ADMIN_EMAILS are admins; others have the role
 * an admin granted them, or none. Read on every call, so a revocation takes effect at once.
 */
export async function staffOf(actor: Actor, db: Queryable): Promise<Staff | null> {
  if (actor.kind !== "supporter") return null;
  const email = actor.email.toLowerCase();
  if (env().adminEmails.includes(email)) return { email, role: "admin", source: "configuration" };
  const [row] = await db.select({ role: staffMembers.role }).from(staffMembers).where(eq(staffMembers.email, email)).limit(1);

  return row ? { email, role: row.role, source: "granted" } : null;
}

/** What each role may do: finance reads and exports the money; admin also runs the house. */
export function allows(staff: Staff, needs: StaffRole): boolean {
  return needs === "finance" ? staff.role === "finance" || staff.role === "admin" : staff.role === "admin";
}

/**
 * The staff member behind the actor if their role allows `needs`; otherwise a 403 that says only
 * that this is for staff (the same for a supporter, a manage link and nobody).
 */
export async function requireStaff(actor: Actor, needs: StaffRole, db: Queryable): Promise<Staff> {
  const staff = await staffOf(actor, db);
  if (!staff || !allows(staff, needs)) {
    throw new AppError("FORBIDDEN", needs === "admin" ? "This is for the newsroom's admins." : "This is for the newsroom's finance staff.");
  }

  return staff;
}

export type AuditEntry = {
  action: string;
  target?: string | null;
  /** The page or route the action came from (a path, never a full URL with its query). */
  page?: string | null;
  details?: Record<string, string | number | boolean | null>;
};

/** One line of the audit log: who, what, when (the database's clock), from which page. */
export async function audit(db: Queryable, staff: Staff, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorEmail: staff.email,
    actorRole: staff.role,
    action: entry.action,
    target: entry.target ?? null,
    page: entry.page ? entry.page.slice(0, 300) : null,
    details: entry.details ?? {},
  });
}
