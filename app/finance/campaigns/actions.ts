"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { saveCampaign, setCampaignActive } from "@/lib/campaigns/admin";
import { nestFields, type TCampaignFormInput } from "@/lib/campaigns/schemas";
import { adminActor } from "../_components/admin-access";

// Where these forms are, for the audit log.
const PAGE = "/finance/campaigns";

/** The campaign form (react-hook-form with the same schema, or a plain post): creates or changes a campaign. */
export const saveCampaignAction = action({
  name: "save campaign",
  // The form's fields as typed ("presets.once.eur.amounts" nested): saveCampaign parses them with
  // ZCampaignForm, the browser form's schema, and its INVALID_INPUT names each field.
  schema: z.preprocess(nestFields, z.record(z.string(), z.unknown())),
  authorize: adminActor,
  run: async (input, actor): Promise<{ slug: string; created: boolean }> => {
    const form = input as unknown as TCampaignFormInput;
    const saved = await saveCampaign(actor, form, form.mode === "create" ? `${PAGE}/new` : `${PAGE}/${String(form.slug)}`);
    revalidatePath(PAGE);

    return saved;
  },
});

const ZSetActive = z.object({ slug: z.string().trim().min(1, "Which campaign?"), active: z.enum(["true", "false"]) });

/** A row's Switch on / Switch off: pages naming an inactive campaign show the default's. */
export const setCampaignActiveAction = action({
  name: "set campaign active",
  schema: ZSetActive,
  authorize: adminActor,
  run: async (input, actor): Promise<null> => {
    await setCampaignActive(actor, input.slug, input.active === "true", PAGE);
    revalidatePath(PAGE);

    return null;
  },
});
