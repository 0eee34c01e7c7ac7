// GET /account/receipt?payment=<id>: one payment's receipt, for the signed-in supporter only.
import { currentActor } from "@/lib/auth/current-actor";
import { receiptResponse } from "./respond";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return receiptResponse(request, await currentActor());
}
