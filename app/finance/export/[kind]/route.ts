// GET /finance/export/[kind]?from=&to=: a CSV of payments, refunds or disputes, for finance staff.
import { currentActor } from "@/lib/auth/current-actor";
import { financeExportResponse } from "./respond";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ kind: string }> }): Promise<Response> {
  const { kind } = await context.params;

  return financeExportResponse(request, await currentActor(), kind);
}
