import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { env } from "@/lib/env";
import "./globals.css";

export function generateMetadata(): Metadata {
  return {
    title: { default: `Support ${env().newsroomName}`, template: `%s · ${env().newsroomName}` },
    description: "Give once, monthly or annually to support independent journalism.",
    robots: { index: false },
  };
}

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="masthead">
          <a href="/" className="masthead-name">
            {env().newsroomName}
          </a>
        </header>
        <main id="main">{children}</main>
        <footer className="site-footer">
          <p>Payments are processed by Stripe. We never see or store your card number.</p>
        </footer>
      </body>
    </html>
  );
}
