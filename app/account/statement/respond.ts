import { env } from "@/lib/env";
import { failureResponse, plainResponse } from "@/lib/http";
import { localeFrom } from "@/lib/i18n";
import type { Actor } from "@/lib/supporters/actor";
import { statementFor } from "@/lib/supporters/statement";
import { renderStatementPdf } from "@/lib/supporters/statement-pdf";

/**
 * GET /account/statement?year=YYYY: the signed-in supporter's statement for that year as a PDF,
 * with the figures of the yearly email. Anyone else gets "not found".
 */
export async function statementResponse(request: Request, actor: Actor, now: Date = new Date()): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const yearText = params.get("year") ?? "";
  if (!/^\d{4}$/.test(yearText) || Number(yearText) < 2000) return plainResponse(400, "Ask for a year, like ?year=2026.");
  try {
    const found = await statementFor(actor, Number(yearText));
    if (!found) return plainResponse(404, "No statement here.");
    const locale = localeFrom(params.get("lang")) ?? localeFrom(found.supporter.locale) ?? "en";
    const pdf = await renderStatementPdf({ statement: found.statement, supporterName: found.supporter.name, locale, newsroom: env().newsroomName, generatedAt: now });

    return new Response(new Uint8Array(pdf), {
      status: 200,
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="statement-${yearText}.pdf"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    return failureResponse("account statement", error);
  }
}
