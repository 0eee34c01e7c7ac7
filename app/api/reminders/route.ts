// POST /api/reminders: the widget's "Remind me later", called from article pages on another origin.
// JSON in → 201 { reminder: { id, dueAt, email } }; 4xx { error } with nothing written.
import { clientAddressOf, failureResponse, preflightResponse, readInput, refuseOrigin, traced, withCors } from "@/lib/http";
import { createReminder } from "@/lib/reminders/create";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 16_384;

function options(request: Request): Response {
  return preflightResponse(request);
}
export const OPTIONS = traced(options);

async function post(request: Request): Promise<Response> {
  return withCors(request, refuseOrigin(request) ?? (await remind(request)));
}
export const POST = traced(post);

async function remind(request: Request): Promise<Response> {
  try {
    const { fields } = await readInput(request, { maxBytes: MAX_BODY_BYTES, accept: ["json"], what: "the reminder" });
    const reminder = await createReminder(fields, { clientAddress: clientAddressOf(request) });

    return Response.json({ reminder }, { status: 201 });
  } catch (error) {
    return failureResponse("reminder", error);
  }
}
