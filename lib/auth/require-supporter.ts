import "server-only";
import { redirect } from "next/navigation";
import type { Locale } from "@/lib/i18n";
import type { Actor } from "@/lib/supporters/actor";
import { currentActor } from "./current-actor";
import { signInPath } from "./paths";

export type SignedInSupporter = Extract<Actor, { kind: "supporter" }>;

/**
 * What every section of the account page receives: the signed-in supporter (pass it to the data
 * layer, which checks ownership itself) and the page's language.
 */
export type AccountSectionProps = { actor: SignedInSupporter; locale: Locale };

/**
 * The signed-in supporter, or a redirect to the sign-in page that comes back to `returnTo`. For
 * pages (a convenience for the person): every query and action checks the actor again itself.
 */
export async function requireSupporter(options: { returnTo: string; locale: Locale }): Promise<SignedInSupporter> {
  const actor = await currentActor();
  if (actor.kind !== "supporter") redirect(signInPath({ returnTo: options.returnTo, locale: options.locale }));

  return actor;
}
