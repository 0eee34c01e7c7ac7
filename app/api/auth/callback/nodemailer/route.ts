// GET /api/auth/callback/nodemailer: where Auth.js's own links point. It spends nothing (a mail
// scanner may be the one asking): it leads to our confirm page with the same token, whose button
// signs in. Our emails link to the confirm page directly; this covers any link made the Auth.js way.
import { DEFAULT_RETURN_PATH, safeReturnPath } from "@/lib/auth/return-path";
import { CONFIRM_PATH } from "@/lib/auth/sign-in-email";
import { env } from "@/lib/env";
import { seeOther, traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

function get(request: Request): Response {
  const given = new URL(request.url).searchParams;
  const query = new URLSearchParams();
  for (const name of ["token", "email"]) {
    const value = given.get(name);
    if (value !== null) query.set(name, value);
  }
  const callback = given.get("callbackUrl");
  if (callback !== null) {
    let path: string | null = null;
    try {
      const ours = env().appUrl;
      const url = new URL(callback, ours);
      if (url.origin === new URL(ours).origin) path = `${url.pathname}${url.search}`;
    } catch {
      // Not an address: the account page it is.
    }
    const returnTo = safeReturnPath(path);
    if (returnTo !== DEFAULT_RETURN_PATH) query.set("return", returnTo);
  }

  return seeOther(`${CONFIRM_PATH}?${query.toString()}`);
}
export const GET = traced(get);
