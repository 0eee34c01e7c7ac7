"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/actions/action";
import { ZPeriod } from "@/lib/finance/period";
import { repairReconciliation } from "@/lib/finance/reconcile";
import { adminActor } from "../_components/admin-access";

// Where this form is, for the audit log.
const PAGE = "/finance/reconcile";

export type RepairSummary = {
  events: number;
  processed: number;
  failed: number;
  corrected: number;
  left: number;
};

/** "Repair": applies what Stripe has and the ledger lacks or disagrees with, for the period. Admins only. */
export const repairAction = action({
  name: "repair reconciliation",
  schema: ZPeriod,
  authorize: adminActor,
  run: async (period, actor): Promise<RepairSummary> => {
    const outcome = await repairReconciliation(actor, period, PAGE);
    revalidatePath(PAGE);

    return {
      events: outcome.events,
      ...outcome.applied,
      corrected: outcome.corrected,
      left: outcome.after.missing.length + outcome.after.differs.length,
    };
  },
});
