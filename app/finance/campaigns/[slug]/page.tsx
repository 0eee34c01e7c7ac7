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
 * /finance/campaigns/[slug]: one campaign's settings to edit; /finance/campaigns/new starts one from
 * the built-in presets. Admins only, as the list (getCampaign checks the role again).
 */
export default async function CampaignPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const creating = slug === "new";
  const path = `/finance/campaigns/${creating ? "new" : encodeURIComponent(slug)}`;
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
