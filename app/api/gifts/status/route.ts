// GET /api/gifts/status?session_id=cs_…: whether the ledger has the gift yet (a one-time gift, or
// the recurring gift the session started). Reads our database only; while that cannot be reached,
// 503 with Retry-After (the thank-you page keeps asking).
import { findGiftByCheckoutSession } from "@/db/queries/gifts";
import { findRecurringGiftByCheckoutSession } from "@/db/queries/recurring-gifts";
import { failureResponse, traced } from "@/lib/http";
import { CHECKOUT_SESSION_ID } from "@/lib/gifts/checkout-session-id";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  const sessionId = new URL(request.url).searchParams.get("session_id");
  if (!sessionId || !CHECKOUT_SESSION_ID.test(sessionId)) {
    return Response.json({ error: "session_id must be a Checkout Session id (cs_…)" }, { status: 400 });
  }
  try {
    const [gift, recurringGift] = await Promise.all([findGiftByCheckoutSession(sessionId), findRecurringGiftByCheckoutSession(sessionId)]);

    return Response.json({ recorded: gift !== null || recurringGift !== null }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return failureResponse("gift status", error);
  }
}
export const GET = traced(get);
