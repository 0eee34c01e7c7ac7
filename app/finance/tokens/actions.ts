"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { type CreatedToken, createToken, revokeToken } from "@/lib/finance/tokens";
import { ZTokenName } from "@/lib/finance/token-schema";
import { adminActor } from "../_components/admin-access";

// Where these forms are, for the audit log.
const PAGE = "/finance/tokens";

/** The new-token form: the token comes back in the action's answer alone, shown once and kept nowhere. */
export const createTokenAction = action({
  name: "create finance token",
  schema: ZTokenName,
  authorize: adminActor,
  run: async (input, actor): Promise<CreatedToken> => {
    const created = await createToken(actor, input, PAGE);
    revalidatePath(PAGE);

    return created;
  },
});

const ZRevokeToken = z.object({ id: z.string().min(1, "Which token?") });

/** A row's Revoke: the token stops working from its next request. */
export const revokeTokenAction = action({
  name: "revoke finance token",
  schema: ZRevokeToken,
  authorize: adminActor,
  run: async (input, actor): Promise<null> => {
    await revokeToken(actor, input.id, PAGE);
    revalidatePath(PAGE);

    return null;
  },
});
