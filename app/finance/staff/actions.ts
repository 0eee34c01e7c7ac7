"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { grantRole, revokeRole } from "@/lib/staff/manage";
import { type TGrant, ZGrant } from "@/lib/staff/schemas";
import { adminActor } from "../_components/admin-access";

// Where these forms are, for the audit log.
const PAGE = "/finance/staff";

/** The grant form (react-hook-form with the same schema, or a plain post): gives an address a role. */
export const grantRoleAction = action({
  name: "grant staff role",
  schema: ZGrant,
  authorize: adminActor,
  run: async (input, actor): Promise<TGrant> => {
    await grantRole(actor, input, PAGE);
    revalidatePath(PAGE);

    return input;
  },
});

const ZRevokeRole = z.object({ email: z.string().trim().min(1, "Which address?") });

/** A row's Revoke: the address loses its granted role from its next request. */
export const revokeRoleAction = action({
  name: "revoke staff role",
  schema: ZRevokeRole,
  authorize: adminActor,
  run: async (input, actor): Promise<null> => {
    await revokeRole(actor, input.email, PAGE);
    revalidatePath(PAGE);

    return null;
  },
});
