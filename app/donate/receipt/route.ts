// GET /donate/receipt?session_id=cs_…: a receipt to save, for a discreet giver we never email.
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { findGiftByCheckoutSession } from "@/db/queries/gifts";
import { findRecurringGiftByCheckoutSession } from "@/db/queries/recurring-gifts";
import { payments } from "@/db/schema";
import { env } from "@/lib/env";
import { failureResponse } from "@/lib/errors";
import { CHECKOUT_SESSION_ID } from "@/lib/gifts/checkout-session-id";
import { escapeHtml } from "@/lib/http";
import { fill, localeFrom, messagesFor } from "@/lib/i18n";
import { formatDate } from "@/lib/i18n/format";
import { formatMoneyExact } from "@/lib/money";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * A self-contained HTML receipt (no script, no remote anything) for the first payment of the gift
 * a Checkout Session made. It names no one: for a discreet gift we hold no name or address, and a
 * Checkout Session id, which only the giver's browser saw, is all it takes to fetch it.
 */
export async function GET(request: Request): Promise<Response> {
  const sessionId = new URL(request.url).searchParams.get("session_id");
  if (!sessionId || !CHECKOUT_SESSION_ID.test(sessionId)) return new Response("Unknown receipt.", { status: 404 });
  try {
    return await receipt(sessionId);
  } catch (error) {
    return failureResponse("receipt", error);
  }
}

async function receipt(sessionId: string): Promise<Response> {
  const [gift, recurringGift] = await Promise.all([findGiftByCheckoutSession(sessionId), findRecurringGiftByCheckoutSession(sessionId)]);
  const locale = localeFrom(gift?.locale ?? recurringGift?.locale) ?? "en";
  const m = messagesFor(locale);

  let line: { date: Date; amountMinor: number; currency: string; frequency: "once" | "monthly" | "annual"; reference: string; feeCoveredMinor: number } | null = null;
  if (gift?.stripeChargeId) {
    line = { date: gift.givenAt, amountMinor: gift.amountMinor, currency: gift.currency, frequency: "once", reference: gift.stripeChargeId, feeCoveredMinor: gift.feeCoveredMinor };
  } else if (recurringGift) {
    const [first] = await getDb()
      .select({ paidAt: payments.paidAt, amountMinor: payments.amountMinor, currency: payments.currency, reference: payments.stripeChargeId })
      .from(payments)
      .where(eq(payments.recurringGiftId, recurringGift.id))
      .orderBy(payments.paidAt)
      .limit(1);
    if (first) {
      line = {
        date: first.paidAt,
        amountMinor: first.amountMinor,
        currency: first.currency,
        frequency: recurringGift.frequency === "annual" ? "annual" : "monthly",
        reference: first.reference,
        feeCoveredMinor: recurringGift.feeCoveredMinor,
      };
    }
  }
  if (!line) return new Response(m.thanks.receiptNotYet, { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "5" } });

  const money = (minor: number) => escapeHtml(formatMoneyExact(minor, line.currency, locale));
  const rows: Array<[string, string]> = [
    [m.thanks.receiptDate, escapeHtml(formatDate(line.date, locale))],
    [m.thanks.receiptAmount, money(line.amountMinor) + (line.feeCoveredMinor > 0 ? ` (${escapeHtml(m.thanks.receiptFeeCovered)}: ${money(line.feeCoveredMinor)})` : "")],
    [m.thanks.receiptFrequency, escapeHtml(m.thanks.frequencyName[line.frequency])],
    [m.thanks.receiptReference, escapeHtml(line.reference)],
  ];
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(m.thanks.receiptTitle)}</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#16181d}th{text-align:left;padding:.3rem 1rem .3rem 0}td{padding:.3rem 0}</style></head>
<body><h1>${escapeHtml(m.thanks.receiptTitle)}</h1>
<p>${escapeHtml(fill(m.thanks.receiptIntro, { newsroom: env().newsroomName }))}</p>
<table>${rows.map(([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`).join("")}</table>
<p>${escapeHtml(m.thanks.receiptNoPersonal)}</p></body></html>
`;

  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-disposition": `attachment; filename="receipt-${line.date.toISOString().slice(0, 10)}.html"`,
      // Its strict policy and no-referrer come from lib/security/headers.ts (next.config.ts).
      "cache-control": "private, no-store",
    },
  });
}
