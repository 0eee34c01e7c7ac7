// GET /account/statement?year=YYYY: the yearly statement as a PDF, for the signed-in supporter only.
import { currentActor } from "@/lib/auth/current-actor";
import { statementResponse } from "./respond";
import { traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  return statementResponse(request, await currentActor());
}
export const GET = traced(get);
