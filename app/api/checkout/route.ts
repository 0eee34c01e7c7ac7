// POST /api/checkout: the picker's Continue. JSON in → { url } out; a plain form post → 303 to Stripe.
import { startGiftCheckout } from "@/lib/gifts/start-gift-checkout";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return startGiftCheckout(request);
}
