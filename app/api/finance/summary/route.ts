// GET /api/finance/summary?from=YYYY-MM-DD&to=YYYY-MM-DD[&currency=eur]: the finance figures as JSON, for a bearer token.
import { AppError } from "@/lib/errors";
import { financeSummary } from "@/lib/finance/summary-api";
import { errorResponse, failureResponse, traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const summary = await financeSummary(request.headers.get("authorization"), new URL(request.url).searchParams);

    return Response.json(summary, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof AppError && error.code === "UNAUTHORIZED") return errorResponse(error, { "www-authenticate": 'Bearer realm="finance"' });

    return failureResponse("finance summary", error);
  }
}
export const GET = traced(get);
