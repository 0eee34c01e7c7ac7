// GET /finance/export/payouts?from=&to=: the period's payouts as CSV, for finance staff.
// One static route per kind: a dynamic segment would answer 500 to a path that does not decode.
import { currentActor } from "@/lib/auth/current-actor";
import { financeExportResponse } from "../respond";
import { traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  return financeExportResponse(request, await currentActor(), "payouts");
}
export const GET = traced(get);
