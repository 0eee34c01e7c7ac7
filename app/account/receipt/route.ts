// GET /account/receipt?payment=<id>: one payment's receipt, for the signed-in supporter only.
import { currentActor } from "@/lib/auth/current-actor";
import { receiptResponse } from "./respond";
import { traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  return receiptResponse(request, await currentActor());
}
export const GET = traced(get);
