// POST /api/reminders/cancel: the cancel page's form (→ 303 back to the page) and mail clients'
// one-click unsubscribe (RFC 8058: `List-Unsubscribe=One-Click`, the token in the URL → 200).
// GET (a mail client opening the List-Unsubscribe address) only leads to the page.
import { cancelLinkRedirect, cancelReminderRequest } from "@/lib/reminders/cancel";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return cancelReminderRequest(request);
}

export function GET(request: Request): Response {
  return cancelLinkRedirect(request);
}
