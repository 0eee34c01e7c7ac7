import { startFinanceExport } from "@/lib/finance/exports";
import { failureResponse, streamedDownload } from "@/lib/http";
import type { Actor } from "@/lib/supporters/actor";

/**
 * GET /finance/export/{payments|refunds|disputes}?from=YYYY-MM-DD&to=YYYY-MM-DD: the period's rows
 * as a CSV download, streamed as they are read. 403 for anyone but finance staff, 422 for an unknown
 * kind or a bad period; neither reads or writes anything.
 */
export async function financeExportResponse(request: Request, actor: Actor, kind: string): Promise<Response> {
  const url = new URL(request.url);
  try {
    const exported = await startFinanceExport(actor, { kind, from: url.searchParams.get("from"), to: url.searchParams.get("to") }, { page: url.pathname });

    return streamedDownload(exported.chunks, { contentType: "text/csv; charset=utf-8", filename: exported.filename, where: "finance export" });
  } catch (error) {
    return failureResponse("finance export", error);
  }
}
