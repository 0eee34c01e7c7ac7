import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getCampaign } from "@/lib/campaigns/admin";
import { campaignFormValues } from "@/lib/campaigns/schemas";
import { PRESET_AMOUNTS } from "@/lib/gifts/presets";
import { readAsAdmin } from "../../_components/admin-access";
import "../../_components/admin-pages.css";
import { CampaignForm } from "../campaign-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Campaign", robots: { index: false, follow: false } };

/**
 * /finance/campaigns/edit?slug=…: one campaign's settings to edit; without a slug, a new one from
 * the built-in presets. Admins only, as the list (getCampaign checks the role again). The slug is
 * in the query, not the path: a dynamic segment would answer 500 to a path that does not decode.
 */
export default async function CampaignPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).slug;
  const slug = (Array.isArray(raw) ? raw[0] : raw) ?? "";
  const creating = slug === "";
  const path = creating ? "/finance/campaigns/edit" : `/finance/campaigns/edit?slug=${encodeURIComponent(slug)}`;
  const { data: campaign } = await readAsAdmin(path, (actor) => (creating ? Promise.resolve(null) : getCampaign(actor, slug)));
  if (!creating && !campaign) notFound();
  const initial = campaign
    ? campaignFormValues(campaign, "update")
    : campaignFormValues({ slug: "", name: "", presets: PRESET_AMOUNTS, copy: {}, goalMinor: null, goalCurrency: null, startsOn: null, endsOn: null }, "create");

  return (
    <section className="thanks finance-page" lang="en" aria-labelledby="campaign-heading" data-testid="campaign-page">
      <p>
        <a href="/finance/campaigns">All campaigns</a>
      </p>
      <h1 id="campaign-heading">{campaign ? `Campaign: ${campaign.name}` : "New campaign"}</h1>
      <CampaignForm initial={initial} />
    </section>
  );
}
