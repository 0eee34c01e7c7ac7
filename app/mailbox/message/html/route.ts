// GET /mailbox/message/html?id=…: an email's HTML, shown in the mailbox page's sandboxed frame, under
// a policy that lets it load nothing at all (lib/security/headers.ts; emails must need nothing from anywhere).
import { findMailboxMessage } from "@/db/queries/mailbox";
import { MAILBOX_ID, mailboxEnabled } from "@/lib/email/mailbox";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const id = new URL(request.url).searchParams.get("id");
  if (!mailboxEnabled() || id === null || !MAILBOX_ID.test(id)) return new Response("Not found", { status: 404 });
  const message = await findMailboxMessage(id);
  if (!message) return new Response("Not found", { status: 404 });

  return new Response(message.html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
