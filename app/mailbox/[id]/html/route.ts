// GET /mailbox/:id/html: an email's HTML, shown in the mailbox page's sandboxed frame, under a policy
// that lets it load nothing at all (emails must not need anything from anywhere).
import { findMailboxMessage } from "@/db/queries/mailbox";
import { MAILBOX_ID, mailboxEnabled } from "@/lib/email/mailbox";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  if (!mailboxEnabled() || !MAILBOX_ID.test(id)) return new Response("Not found", { status: 404 });
  const message = await findMailboxMessage(id);
  if (!message) return new Response("Not found", { status: 404 });

  return new Response(message.html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
      "cache-control": "no-store",
    },
  });
}
