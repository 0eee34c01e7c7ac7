"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/actions/action";
import { type ReplayOutcome, replayEvents, ZReplay } from "@/lib/finance/inbox";
import { adminActor } from "../_components/admin-access";

// Where this form is, for the audit log.
const PAGE = "/finance/inbox";

/** "Replay selected": the ticked events are due again and applied at once. Admins only. */
export const replayAction = action({
  name: "replay webhook events",
  schema: ZReplay,
  authorize: adminActor,
  run: async (input, actor): Promise<ReplayOutcome> => {
    const outcome = await replayEvents(actor, { ids: input.ids, drain: true }, PAGE);
    revalidatePath(PAGE);

    return outcome;
  },
});
