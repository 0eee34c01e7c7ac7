import type { ReactNode } from "react";
import { requireSupporter } from "@/lib/auth/require-supporter";
import { requestLocale } from "@/lib/i18n/request";
import "../sign-in/auth.css";

export const dynamic = "force-dynamic";

/**
 * Every /account page is for a signed-in supporter: nobody goes to sign in and comes back to the
 * account. (A page that must come back to itself checks with its own `returnTo`; the data layer
 * checks again whatever the page did.)
 */
export default async function AccountLayout({ children }: { children: ReactNode }) {
  const locale = await requestLocale();
  await requireSupporter({ returnTo: "/account", locale });

  return <div className="account">{children}</div>;
}
