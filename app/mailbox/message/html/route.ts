// GET /mailbox/message/html?id=…: an email's HTML, shown in the mailbox page's sandboxed frame, under
// a policy that lets it load nothing at all (lib/security/headers.ts; emails must need nothing from anywhere).
import { findMailboxMessage } from "@/db/queries/mailbox";
import { MAILBOX_ID, mailboxEnabled } from "@/lib/email/mailbox";
import { env } from "@/lib/env";
import { traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  const id = new URL(request.url).searchParams.get("id");
  if (!mailboxEnabled() || id === null || !MAILBOX_ID.test(id)) return new Response("Not found", { status: 404 });
  const message = await findMailboxMessage(id);
  if (!message) return new Response("Not found", { status: 404 });

  return new Response(sizedToContent(message.html), {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
export const GET = traced(get);

/**
 * The email as sent, plus one tag that lets the mailbox page (our origin, only) size the frame to the
 * email's height (CSS `frame-sizing` on the frame; no script in the frame, which its sandbox and this
 * route's policy forbid anyway). The tag is added here, never to what a supporter receives.
 */
function sizedToContent(html: string): string {
  const meta = `<meta name="responsive-embedded-sizing" content="allow-origins=${new URL(env().appUrl).origin}">`;

  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => head + meta) : meta + html;
}
