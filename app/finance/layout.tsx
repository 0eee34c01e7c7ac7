import type { ReactNode } from "react";
import "./finance.css";

export const dynamic = "force-dynamic";

const LINKS = [
  { href: "/finance", label: "Overview" },
  { href: "/finance/campaigns", label: "Campaigns" },
  { href: "/finance/staff", label: "Staff" },
  { href: "/finance/tokens", label: "API tokens" },
  { href: "/finance/audit", label: "Audit log" },
  { href: "/finance/inbox", label: "Inbox" },
  { href: "/finance/reconcile", label: "Reconciliation" },
];

/**
 * The frame of the finance pages. It checks no one: each page asks for the role it needs
 * (lib/staff/page-access.ts) and every query checks it again in the data layer.
 */
export default function FinanceLayout({ children }: { children: ReactNode }) {
  return (
    <div className="finance">
      <nav aria-label="Finance" className="finance-nav">
        <ul>
          {LINKS.map((link) => (
            <li key={link.href}>
              <a href={link.href}>{link.label}</a>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </div>
  );
}
