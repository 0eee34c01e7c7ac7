import "server-only";
import { forbidden } from "next/navigation";
import { getDb } from "@/db";
import { currentActor } from "@/lib/auth/current-actor";
import { AppError } from "@/lib/errors";
import { staffForPage } from "@/lib/staff/page-access";
import { requireStaff } from "@/lib/staff/staff";
import type { Actor } from "@/lib/supporters/actor";

/**
 * For the admin pages' server actions: whoever asks, if an admin, or FORBIDDEN before the form is
 * read (so a stranger learns nothing from its checks). The lib function checks again itself.
 */
export async function adminActor(): Promise<Actor> {
  const actor = await currentActor();
  await requireStaff(actor, "admin", getDb());

  return actor;
}

/**
 * For the admin pages: what `read` (a lib function, which checks the role itself) returns for the
 * admin asking. Nobody is sent to sign in and back to `path`; anyone else gets the segment's 403
 * (forbidden.tsx), also when the lib refuses them (a role revoked between the two checks).
 */
export async function readAsAdmin<T>(path: string, read: (actor: Actor) => Promise<T>): Promise<{ actor: Actor; data: T }> {
  const { actor } = await staffForPage("admin", path);
  try {
    return { actor, data: await read(actor) };
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") forbidden();
    throw error;
  }
}
