// GET /reminders/cancel/invalid: where the cancel page sends a link it cannot use (404, a plain page).
import { htmlResponse } from "@/lib/http";
import { invalidReminderLinkPage } from "@/lib/reminders/invalid-link";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(): Response {
  return htmlResponse(invalidReminderLinkPage(), { status: 404 });
}
