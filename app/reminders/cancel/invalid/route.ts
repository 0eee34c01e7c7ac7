// GET /reminders/cancel/invalid: where the cancel page sends a link it cannot use (404, a plain page).
import { htmlResponse, traced } from "@/lib/http";
import { invalidReminderLinkPage } from "@/lib/reminders/invalid-link";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

function get(): Response {
  return htmlResponse(invalidReminderLinkPage(), { status: 404 });
}
export const GET = traced(get);
