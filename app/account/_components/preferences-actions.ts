"use server";

import { action } from "@/lib/actions/action";
import { currentActor } from "@/lib/auth/current-actor";
import { AppError } from "@/lib/errors";
import { ZPreferences } from "@/lib/supporters/preferences-schema";
import { savePreferences } from "@/lib/supporters/preferences";

/** The account's preferences form (react-hook-form with the same schema, or a plain post). */
export const savePreferencesAction = action({
  name: "save-preferences",
  schema: ZPreferences,
  authorize: async () => {
    const actor = await currentActor();
    if (actor.kind !== "supporter") throw new AppError("FORBIDDEN", "Sign in to change your preferences.");

    return actor;
  },
  // savePreferences checks the actor again: the data layer does not trust this wrapper alone.
  run: (input, actor) => savePreferences(actor, input),
});
