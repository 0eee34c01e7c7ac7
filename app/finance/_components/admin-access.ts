import "server-only";
import { getDb } from "@/db";
import { currentActor } from "@/lib/auth/current-actor";
import { AppError } from "@/lib/errors";
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

export type AdminView<T> = { ok: true; actor: Actor; data: T } | { ok: false; actor: Actor };

/** For the admin pages: what `read` returns for whoever asks, or that the lib refused them. */
export async function readAsAdmin<T>(read: (actor: Actor) => Promise<T>): Promise<AdminView<T>> {
  const actor = await currentActor();
  try {
    return { ok: true, actor, data: await read(actor) };
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") return { ok: false, actor };
    throw error;
  }
}
