import "server-only";
import { forbidden, redirect } from "next/navigation";
import { getDb } from "@/db";
import { currentActor } from "@/lib/auth/current-actor";
import { signInPath } from "@/lib/auth/paths";
import type { Actor } from "@/lib/supporters/actor";
import { allows, type Staff, type StaffRole, staffOf } from "./staff";

/**
 * For staff pages: the signed-in member of staff, a redirect to sign in (coming back here) for
 * nobody, and a 403 for anyone else. A convenience for the person: every query and action the page
 * makes checks the role again in the data layer.
 */
export async function staffForPage(needs: StaffRole, returnTo: string): Promise<{ actor: Actor; staff: Staff }> {
  const actor = await currentActor();
  if (actor.kind !== "supporter") redirect(signInPath({ returnTo }));
  const staff = await staffOf(actor, getDb());
  if (!staff || !allows(staff, needs)) forbidden();

  return { actor, staff };
}
