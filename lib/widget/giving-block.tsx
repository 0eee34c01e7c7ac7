import "server-only";
import { headers } from "next/headers";
import type { SearchParams } from "@/lib/gifts/picker-state";
import { type PickerSurface, pickerModel } from "./picker-model";
import { renderPickerFragment } from "./render-fragment";
import { SNOOZE_BOOT_SCRIPT } from "./snooze-boot";

/**
 * The picker as a server-rendered block for pages built with this app: no iframe, the same
 * markup and script as the embed, and a working plain form before (or without) the script.
 * The markup goes in as HTML that React does not hydrate: the widget script owns it from then on,
 * and React must not put back what the script changed.
 */
export async function GivingBlock({ searchParams = {}, ...surface }: { searchParams?: SearchParams } & Omit<PickerSurface, "kind">) {
  const props = await pickerModel(searchParams, await headers(), { kind: "page", ...surface });

  return (
    <>
      <link rel="stylesheet" href="/embed/picker.css" precedence="default" />
      <div className="rf-block" dangerouslySetInnerHTML={{ __html: await renderPickerFragment(props) }} />
      {props.snoozable && <script dangerouslySetInnerHTML={{ __html: SNOOZE_BOOT_SCRIPT }} />}
      <script src="/embed/picker.js" async />
    </>
  );
}
