// POST /api/reminders/cancel: the cancel page's form (→ 303 back to the page) and mail clients'
// one-click unsubscribe (RFC 8058: `List-Unsubscribe=One-Click`, the token in the URL → 200). A
// token altered or not ours is a 400 (the plain invalid-link page) with nothing changed.
// GET (a mail client opening the List-Unsubscribe address) only leads to the page: a GET never
// cancels, because link scanners fetch every address in an email.
import { toAppError } from "@/lib/errors";
import { htmlResponse, mediaTypeOf, plainResponse, readBodyText, seeOther, traced } from "@/lib/http";
import { cancelPageUrl, cancelReminder } from "@/lib/reminders/cancel";
import { invalidReminderLinkPage } from "@/lib/reminders/invalid-link";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 4096;

async function post(request: Request): Promise<Response> {
  const mediaType = mediaTypeOf(request);
  if (mediaType !== "application/x-www-form-urlencoded" && mediaType !== "multipart/form-data") {
    return plainResponse(415, "Send the form as application/x-www-form-urlencoded or multipart/form-data.");
  }
  const text = await readBodyText(request, MAX_BODY_BYTES);
  if (text === null) return plainResponse(413, "The request is too large.");
  let form: URLSearchParams | FormData;
  try {
    form = mediaType === "multipart/form-data" ? await new Response(text, { headers: { "content-type": request.headers.get("content-type")! } }).formData() : new URLSearchParams(text);
  } catch {
    return plainResponse(400, "The form could not be read.");
  }
  const fromForm = form.get("token");
  const token = typeof fromForm === "string" && fromForm !== "" ? fromForm : new URL(request.url).searchParams.get("token");

  try {
    const cancelled = await cancelReminder(token);
    if (cancelled === null) return htmlResponse(invalidReminderLinkPage(), { status: 400 });
    if (form.get("List-Unsubscribe") === "One-Click") return plainResponse(200, "Unsubscribed: this reminder is cancelled, and we will not email you about it.");

    return seeOther(cancelPageUrl(token!, cancelled.locale));
  } catch (failure) {
    // A browser's form post: the answer is a page, in words.
    const error = toAppError("reminder cancel", failure);

    return plainResponse(error.status, `${error.message} The reminder was not cancelled.`);
  }
}
export const POST = traced(post);

function get(request: Request): Response {
  return seeOther(cancelPageUrl(new URL(request.url).searchParams.get("token") ?? ""));
}
export const GET = traced(get);
