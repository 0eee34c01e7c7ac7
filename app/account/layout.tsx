import type { ReactNode } from "react";
import "../sign-in/auth.css";

export const dynamic = "force-dynamic";

/**
 * The frame of every /account page. It checks no one: each page and route asks for the supporter
 * itself (the data layer checks again), and /account/erased must show its confirmation to a person
 * whose sign-in the erasure has just deleted.
 */
export default function AccountLayout({ children }: { children: ReactNode }) {
  return <div className="account">{children}</div>;
}
