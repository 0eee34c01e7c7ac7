// GET /api/gifts/status?session_id=cs_…: whether the ledger has the gift yet. Reads our database only.
import { findGiftByCheckoutSession } from "@/db/queries/gifts";
import { CHECKOUT_SESSION_ID } from "@/lib/gifts/checkout-session-id";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const sessionId = new URL(request.url).searchParams.get("session_id");
  if (!sessionId || !CHECKOUT_SESSION_ID.test(sessionId)) {
    return Response.json({ error: "session_id must be a Checkout Session id (cs_…)" }, { status: 400 });
  }

  return Response.json({ recorded: (await findGiftByCheckoutSession(sessionId)) !== null }, { headers: { "cache-control": "no-store" } });
}
