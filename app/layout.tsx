import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { env } from "@/lib/env";
import { fill, messagesFor } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const { site } = messagesFor(await requestLocale());
  const newsroom = env().newsroomName;

  return {
    title: { default: fill(site.title, { newsroom }), template: `%s · ${newsroom}` },
    description: site.description,
    robots: { index: false },
  };
}

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

/** Every page's frame, in the page's language (proxy.ts decides it; see lib/i18n/request.ts). */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await requestLocale();
  const { site } = messagesFor(locale);

  return (
    <html lang={locale}>
      <body>
        <a className="skip-link" href="#main">
          {site.skipLink}
        </a>
        <header className="masthead">
          <a href={locale === "en" ? "/" : `/?lang=${locale}`} className="masthead-name">
            {env().newsroomName}
          </a>
        </header>
        <main id="main">{children}</main>
        <footer className="site-footer">
          <p>{site.footer}</p>
        </footer>
      </body>
    </html>
  );
}
