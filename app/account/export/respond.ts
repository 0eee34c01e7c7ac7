import { failureResponse, plainResponse } from "@/lib/http";
import type { Actor } from "@/lib/supporters/actor";
import { exportFor } from "@/lib/supporters/export";

/** GET /account/export: everything we hold about the signed-in person, as a JSON download. */
export async function exportResponse(actor: Actor): Promise<Response> {
  try {
    const data = await exportFor(actor);
    if (!data) return plainResponse(404, "Sign in to download your data.");

    return new Response(JSON.stringify(data, null, 2), {
      status: 200,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="readerfund-my-data-${data.exportedAt.slice(0, 10)}.json"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    return failureResponse("account export", error);
  }
}
