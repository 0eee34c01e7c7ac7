// GET /embed/v1/picker: the picker's HTML for the embed's shadow root (see lib/widget/client/loader.ts).
import { corsHeaders, traced } from "@/lib/http";
import { log } from "@/lib/log";
import { pickerModel } from "@/lib/widget/picker-model";
import { renderPickerFragment } from "@/lib/widget/render-fragment";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const params = Object.fromEntries(url.searchParams.entries());
  try {
    const props = await pickerModel(params, request.headers, { kind: "embed", defaults: { campaign: "default" } });
    const html = await renderPickerFragment(props);

    return new Response(html, {
      headers: {
        ...corsHeaders(request),
        "content-type": "text/html; charset=utf-8",
        // Each render carries a fresh attempt id, and the currency follows the reader's country.
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (error) {
    log.error("embed picker render failed", { error });

    return new Response("The picker is unavailable.", { status: 503, headers: { ...corsHeaders(request), "content-type": "text/plain; charset=utf-8" } });
  }
}
export const GET = traced(get);
