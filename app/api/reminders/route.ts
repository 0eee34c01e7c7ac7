// POST /api/reminders: the widget's "Remind me later", called from article pages on another origin.
// JSON in → 201 { reminder: { id, dueAt, email } }; 4xx { error } with nothing written.
import { preflightResponse, refuseOrigin, withCors } from "@/lib/embed/cors";
import { createReminder } from "@/lib/reminders/create";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function OPTIONS(request: Request): Response {
  return preflightResponse(request);
}

export async function POST(request: Request): Promise<Response> {
  return withCors(request, refuseOrigin(request) ?? (await createReminder(request)));
}
