import { render } from "@react-email/render";
import { createElement } from "react";
import { PickerView, type PickerViewProps } from "./picker-view";

/**
 * The picker's markup as an HTML fragment for the embed. Next forbids react-dom/server in its own
 * modules; React Email's renderer (already ours for emails) wraps it, and adds a document type
 * that a fragment must not carry.
 */
export async function renderPickerFragment(props: PickerViewProps): Promise<string> {
  const html = await render(createElement(PickerView, props));

  return html.replace(/^<!DOCTYPE[^>]*>/i, "").replace(/<!--\/?\$-->/g, "");
}
