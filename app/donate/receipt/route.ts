// GET /donate/receipt?session_id=cs_…: a receipt to save, for a discreet giver we never email. A
// Checkout Session id, which only the giver's browser saw, is all it takes to fetch it; it names no one.
import { getDb } from "@/db";
import { findReceiptForCheckoutSession } from "@/db/queries/receipts";
import { env } from "@/lib/env";
import { CHECKOUT_SESSION_ID } from "@/lib/gifts/checkout-session-id";
import { receiptDocument } from "@/lib/gifts/receipt-document";
import { failureResponse, htmlResponse, plainResponse, traced } from "@/lib/http";
import { localeFrom, messagesFor } from "@/lib/i18n";
import { manageLinkFor } from "@/lib/supporters/manage-links";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  const sessionId = new URL(request.url).searchParams.get("session_id");
  if (!sessionId || !CHECKOUT_SESSION_ID.test(sessionId)) return plainResponse(404, "Unknown receipt.");
  let receipt;
  let manageUrl: string | null = null;
  try {
    receipt = await findReceiptForCheckoutSession(sessionId);
    if (receipt?.recurringGiftId) manageUrl = await manageLinkFor(getDb(), receipt.recurringGiftId, new Date(), receipt.locale);
  } catch (error) {
    return failureResponse("receipt", error);
  }
  const locale = localeFrom(receipt?.locale) ?? "en";
  if (!receipt?.line) {
    return new Response(messagesFor(locale).thanks.receiptNotYet, { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "5" } });
  }

  return htmlResponse(receiptDocument({ line: receipt.line, locale, newsroom: env().newsroomName, manageUrl }), {
    headers: {
      "content-disposition": `attachment; filename="receipt-${receipt.line.date.toISOString().slice(0, 10)}.html"`,
      // Its strict policy and no-referrer come from lib/security/headers.ts (next.config.ts).
      "cache-control": "private, no-store",
    },
  });
}
export const GET = traced(get);
