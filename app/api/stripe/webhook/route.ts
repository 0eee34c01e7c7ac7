// POST /api/stripe/webhook: Stripe's signed events. Verify, store once, answer; apply after.
import { after } from "next/server";
import { failureResponse, readStripeDelivery, traced } from "@/lib/http";
import { receiveStripeEvent } from "@/lib/stripe/webhooks/receive-stripe-event";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  try {
    const outcome = await receiveStripeEvent(await readStripeDelivery(request), { afterStore: after });

    return Response.json({ received: true, duplicate: outcome === "duplicate" });
  } catch (error) {
    // A 4xx for what Stripe should not send again; anything else is a 5xx, so Stripe retries.
    return failureResponse("webhook", error);
  }
}
export const POST = traced(post);
