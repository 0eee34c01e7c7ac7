import type { ReactNode } from "react";
import "../sign-in/auth.css";

export const dynamic = "force-dynamic";

/**
 * The frame of the /account pages. It does not check who asks: /account/erased is shown to someone
 * who has just been signed out by their erasure (a check here sent them to sign in instead). Each
 * page that is for a signed-in supporter checks itself (`requireSupporter` in app/account/page.tsx),
 * and the data layer checks again whatever the page did.
 */
export default function AccountLayout({ children }: { children: ReactNode }) {
  return <div className="account">{children}</div>;
}
