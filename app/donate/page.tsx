import type { Metadata } from "next";
import { env } from "@/lib/env";
import type { SearchParams } from "@/lib/gifts/picker-state";
import { GivingBlock } from "@/lib/widget/giving-block";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Give" };

export default async function DonatePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  return (
    <>
      <h1 className="visually-hidden">Support {env().newsroomName}</h1>
      <GivingBlock searchParams={await searchParams} defaults={{ campaign: "donate-page" }} />
    </>
  );
}
