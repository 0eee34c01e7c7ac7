import type { Metadata } from "next";
import { env } from "@/lib/env";
import { pickerStateFrom, type SearchParams } from "@/lib/gifts/picker-state";
import { DonationPicker } from "./donation-picker";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Give" };

export default async function DonatePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const state = pickerStateFrom(params);
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

  return (
    <>
      <h1 className="visually-hidden">Support {env().newsroomName}</h1>
      {state.cancelled && (
        <p className="notice" role="status">
          Your payment was not completed and nothing was charged. Your choices are below if you would like to try again.
        </p>
      )}
      <DonationPicker
        attemptId={state.attemptId}
        headline="Support independent journalism"
        appeal={`${env().newsroomName} is funded by its readers. No owner, no advertisers, no state: just you. Every gift keeps our reporting free for everyone.`}
        initial={state.initial}
        attribution={{
          articleUrl: first(params.article),
          section: first(params.section),
          campaign: first(params.campaign) ?? "donate-page",
          variant: first(params.variant),
        }}
        serverError={state.serverError}
      />
    </>
  );
}
