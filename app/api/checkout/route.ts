// POST /api/checkout: the picker's Continue, from our pages and from article pages elsewhere.
// JSON in → { url } out; a plain form post → 303 to Stripe.
import { preflightResponse, refuseOrigin, withCors } from "@/lib/embed/cors";
import { startGiftCheckout } from "@/lib/gifts/start-gift-checkout";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function OPTIONS(request: Request): Response {
  return preflightResponse(request);
}

export async function POST(request: Request): Promise<Response> {
  return withCors(request, refuseOrigin(request) ?? (await startGiftCheckout(request)));
}
