import { type NextRequest, NextResponse } from "next/server";
import { LOCALE_HEADER, negotiateLocale } from "@/lib/i18n/negotiate";

/**
 * Decides the language of a reader-facing page before it renders: `?lang=`, else the browser's
 * Accept-Language, else English. The App Router's root layout cannot read the URL, so the decision
 * travels to it (and to the page) in a request header, and <html lang>, the title, the skip link and
 * the footer follow the page. A page whose language comes from the database (the thank-you page of
 * a gift, a reminder's pages) puts it in the URL by a redirect when the two differ, so the header is
 * always the page's language. Set on every request it serves, over anything the client sent.
 */
export function proxy(request: NextRequest): NextResponse {
  const headers = new Headers(request.headers);
  headers.set(LOCALE_HEADER, negotiateLocale(request.nextUrl.searchParams.get("lang"), request.headers.get("accept-language")));

  return NextResponse.next({ request: { headers } });
}

export const config = {
  // The pages a reader sees; not the API, the embed's HTML, the mailbox or static files.
  matcher: ["/", "/donate", "/donate/thank-you", "/reminders/cancel", "/sign-in", "/sign-in/sent", "/sign-in/confirm", "/sign-in/problem", "/account", "/account/:path*", "/manage"],
};
