// POST /api/reminders: the widget's "Remind me later", called from article pages on another origin.
// JSON in → 201 { reminder: { id, dueAt, email } }; 4xx { error } with nothing written.
import { clientAddressOf, failureResponse, preflightResponse, readInput, refuseOrigin, withCors } from "@/lib/http";
import { createReminder } from "@/lib/reminders/create";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 16_384;

export function OPTIONS(request: Request): Response {
  return preflightResponse(request);
}

export async function POST(request: Request): Promise<Response> {
  return withCors(request, refuseOrigin(request) ?? (await remind(request)));
}

async function remind(request: Request): Promise<Response> {
  try {
    const { fields } = await readInput(request, { maxBytes: MAX_BODY_BYTES, accept: ["json"], what: "the reminder" });
    const reminder = await createReminder(fields, { clientAddress: clientAddressOf(request) });

    return Response.json({ reminder }, { status: 201 });
  } catch (error) {
    return failureResponse("reminder", error);
  }
}
