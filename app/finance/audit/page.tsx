import type { Metadata } from "next";
import { auditLines } from "@/lib/staff/manage";
import { readAsAdmin } from "../_components/admin-access";
import { When } from "../_components/when";
import "../_components/admin-pages.css";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log", robots: { index: false, follow: false } };

const PAGE_SIZE = 50;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * /finance/audit: every staff action, newest first, a page at a time (`?before=` the id of the last
 * line shown). Admins only: nobody is sent to sign in, anyone else gets the 403 of forbidden.tsx;
 * auditLines checks the role again.
 */
export default async function AuditPage({ searchParams }: Props) {
  const raw = (await searchParams).before;
  const before = (Array.isArray(raw) ? raw[0] : raw) || undefined;
  const view = await readAsAdmin("/finance/audit", (actor) => auditLines(actor, { before, limit: PAGE_SIZE }));
  const lines = view.data;
  const last = lines.at(-1);

  return (
    <section className="thanks finance-page" lang="en" aria-labelledby="audit-heading" data-testid="audit-page">
      <h1 id="audit-heading">Audit log</h1>
      <p>Every change made by staff: who, what, when (UTC) and from which page. Newest first.</p>
      {lines.length === 0 ? (
        <p>{before ? "No older lines." : "Nothing yet."}</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="audit-heading" tabIndex={0}>
          <table data-testid="audit-lines">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Of</th>
                <th scope="col">Details</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.id}>
                  <td>
                    <When at={line.at} />
                  </td>
                  <td>
                    {line.actorEmail} ({line.actorRole})
                  </td>
                  <td>
                    <code>{line.action}</code>
                  </td>
                  <td>{line.target ?? ""}</td>
                  <td>
                    {Object.entries(line.details)
                      .map(([key, value]) => `${key}: ${value === null ? "none" : String(value)}`)
                      .join(", ")}
                  </td>
                  <td>{line.page ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Audit log pages">
        <p>
          {before && <a href="/finance/audit">Newest lines</a>}
          {before && last && lines.length === PAGE_SIZE && " · "}
          {last && lines.length === PAGE_SIZE && (
            <a href={`/finance/audit?${new URLSearchParams({ before: last.id }).toString()}`} rel="next">
              Older lines
            </a>
          )}
        </p>
      </nav>
    </section>
  );
}
