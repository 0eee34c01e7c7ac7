// POST /api/stripe/webhook: Stripe's signed events. Verify, store once, answer; apply after.
import { after } from "next/server";
import { handleStripeWebhook } from "@/lib/stripe/webhooks/handle-stripe-webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return handleStripeWebhook(request, { afterResponse: after });
}
