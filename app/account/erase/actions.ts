"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { currentActor, SESSION_COOKIES } from "@/lib/auth/current-actor";
import { AppError } from "@/lib/errors";
import { localeFrom } from "@/lib/i18n";
import { eraseSupporter } from "@/lib/supporters/erase";

const ZErase = z.object({
  // The word is the same in every language, so the check is too; the page explains it in theirs.
  confirm: z.string().trim().refine((value) => value === "ERASE", { message: "Type ERASE, in capital letters, to confirm." }),
  lang: z.string().optional(),
});

/** Erase my data: after the warning and the typed confirmation; then the confirmation page. */
export const eraseAction = action({
  name: "erase-supporter",
  schema: ZErase,
  authorize: async () => {
    const actor = await currentActor();
    if (actor.kind !== "supporter") throw new AppError("FORBIDDEN", "Sign in to erase your data.");

    return actor;
  },
  run: async (input, actor) => {
    await eraseSupporter(actor);
    // Their sessions are gone with their user; the cookie goes too.
    const jar = await cookies();
    for (const name of SESSION_COOKIES) jar.delete(name);
    redirect(`/account/erased?lang=${localeFrom(input.lang) ?? "en"}`);
  },
});
