import { accountPayment } from "@/db/queries/account";
import { env } from "@/lib/env";
import { receiptDocument } from "@/lib/gifts/receipt-document";
import { failureResponse, htmlResponse, plainResponse } from "@/lib/http";
import { localeFrom } from "@/lib/i18n";
import type { Actor } from "@/lib/supporters/actor";

/**
 * GET /account/receipt?payment=<id>: the receipt of one payment of the signed-in supporter, as the
 * saved receipt of app/donate/receipt is. Anyone else's payment, or none, is "not found": a stranger
 * cannot tell someone else's payment from no payment.
 */
export async function receiptResponse(request: Request, actor: Actor): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const paymentId = params.get("payment") ?? "";
  try {
    const line = await accountPayment(actor, paymentId);
    if (!line) return plainResponse(404, "Unknown receipt.");
    const locale = localeFrom(params.get("lang")) ?? "en";
    const receipt = { date: line.paidAt, amountMinor: line.amountMinor, currency: line.currency, frequency: line.frequency, reference: line.reference, feeCoveredMinor: line.feeCoveredMinor };

    return htmlResponse(receiptDocument({ line: receipt, locale, newsroom: env().newsroomName, discreet: false }), {
      headers: {
        "content-disposition": `attachment; filename="receipt-${line.paidAt.toISOString().slice(0, 10)}.html"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    return failureResponse("account receipt", error);
  }
}
