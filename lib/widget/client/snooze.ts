import { snoozed } from "./storage";

/**
 * On our own pages the box is drawn by the server, so a reader who asked to be reminded later has
 * it put away in the browser: the box keeps its headline and says why the rest is gone, with a
 * button that brings it back for this visit (the reminder stands). The page's inline start-up script
 * (lib/widget/snooze-boot.ts) does this before the first paint, so nothing moves; this covers a page
 * where that script did not run. The embed needs none of it: its loader stays away altogether.
 */
export function putAwayIfSnoozed(section: HTMLElement): void {
  const panel = section.querySelector<HTMLElement>("[data-rf-snooze]")!;
  panel.querySelector("button")!.onclick = () => {
    section.removeAttribute("data-rf-snoozed");
    section.setAttribute("data-rf-shown", "");
    panel.hidden = true;
    section.querySelector<HTMLInputElement>("input[name=frequency]:checked")?.focus();
  };
  if (section.hasAttribute("data-rf-snoozable") && !section.hasAttribute("data-rf-shown") && snoozed()) {
    section.setAttribute("data-rf-snoozed", "");
    panel.hidden = false;
  }
}
