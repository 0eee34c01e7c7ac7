import type { Metadata } from "next";
import { DEFAULT_CAMPAIGN, listCampaigns } from "@/lib/campaigns/admin";
import { formatMoney } from "@/lib/money";
import { readAsAdmin } from "../_components/admin-access";
import { When } from "../_components/when";
import "../_components/admin-pages.css";
import { setCampaignActiveAction } from "./actions";
import { ActiveToggle } from "./active-toggle";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Campaigns", robots: { index: false, follow: false } };

/**
 * /finance/campaigns: every campaign, with its dates, its goal and what it has raised toward it
 * while it runs, a link to edit each and a switch. Admins only: nobody is sent to sign in, anyone
 * else gets the 403 of forbidden.tsx; listCampaigns checks the role again.
 */
export default async function CampaignsPage() {
  const { data: rows } = await readAsAdmin("/finance/campaigns", (actor) => listCampaigns(actor));

  return (
    <section className="thanks finance-page" lang="en" aria-labelledby="campaigns-heading" data-testid="campaigns-page">
      <h1 id="campaigns-heading">Campaigns</h1>
      <p>
        A page names its campaign (<code>data-campaign</code> on the embed, <code>?campaign=</code> on /donate); any other page shows{" "}
        <code>default</code>. A campaign sets the picker&apos;s preset amounts and copy, and may have a goal: while it runs, the picker shows what it has
        raised toward it. Changes show from the next page view.
      </p>
      <p>
        <a href="/finance/campaigns/edit">New campaign</a>
      </p>
      <div className="table-scroll" role="region" aria-labelledby="campaigns-heading" tabIndex={0}>
        <table data-testid="campaigns">
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">Status</th>
              <th scope="col">Dates</th>
              <th scope="col">Goal</th>
              <th scope="col">Raised</th>
              <th scope="col">Changed</th>
              <th scope="col">
                <span className="visually-hidden">Switch</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.slug} data-testid={`campaign-${row.slug}`}>
                <th scope="row">
                  <a href={`/finance/campaigns/edit?slug=${encodeURIComponent(row.slug)}`}>
                    {row.name} <span className="visually-hidden">(edit)</span>
                  </a>{" "}
                  <code>{row.slug}</code>
                </th>
                <td>{row.running ? "Running" : row.active ? "On, outside its dates" : "Off"}</td>
                <td>{row.startsOn || row.endsOn ? `${row.startsOn ?? "…"} to ${row.endsOn ?? "…"}` : "Always"}</td>
                <td>{row.goalMinor !== null && row.goalCurrency ? formatMoney(row.goalMinor, row.goalCurrency) : "None"}</td>
                <td>
                  {row.progress
                    ? `${formatMoney(row.progress.raisedMinor, row.progress.currency)} from ${row.progress.gifts} ${row.progress.gifts === 1 ? "gift" : "gifts"} (${Math.floor((row.progress.raisedMinor * 100) / row.progress.goalMinor)}%)`
                    : "—"}
                </td>
                <td>
                  <When at={row.updatedAt} />
                </td>
                <td>{row.slug === DEFAULT_CAMPAIGN ? <span className="hint">Always on</span> : <ActiveToggle action={setCampaignActiveAction} slug={row.slug} active={row.active} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
