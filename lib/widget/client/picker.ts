/**
 * The picker's behaviour, in the browser, on every page that shows it: our /donate page, the
 * server-rendered block, and article pages on other origins (inside the embed's shadow root).
 * No framework and no dependency but our own small modules: with the CSS it must stay under
 * 10 KB gzipped (npm run bench:widget prints the figure). It only enhances the server's markup,
 * which already works as a plain form.
 *
 * model.ts reads the form; draw.ts keeps the labels in step with it; offer.ts is the monthly offer,
 * submit.ts and post.ts go to Checkout (with the proof of work when asked), remind.ts is "remind me
 * later", snooze.ts puts our own pages' box away until then, storage.ts is what the browser keeps.
 */
import { clearErrors, drawPresets, drawSummary } from "./draw";
import { type Picker, pickerOf } from "./model";
import { withdrawOffer } from "./offer";
import { listenForReminders } from "./remind";
import { putAwayIfSnoozed } from "./snooze";
import { randomHex, visitorId } from "./storage";
import { listenForContinue, setBusy } from "./submit";

type Root = Document | ShadowRoot | HTMLElement;

declare global {
  interface Window {
    Readerfund?: { mount: (root: Root) => void; queue?: Root[] };
  }
}

function mount(root: Root): void {
  root.querySelectorAll<HTMLElement>("[data-rf-picker]").forEach((section) => {
    if (section.dataset.rfMounted) return;
    section.dataset.rfMounted = "1";
    try {
      mountPicker(pickerOf(section));
    } catch {
      // This picker stays the plain form it was drawn as; the others on the page still mount.
    }
  });
}

function mountPicker(picker: Picker): void {
  const { form, field, custom } = picker;
  putAwayIfSnoozed(picker.section);
  field("visitorId").value = visitorId();
  form.addEventListener("change", (event) => {
    const target = event.target as HTMLInputElement;
    if (target.name === "frequency" || target.name === "currency") drawPresets(picker, target.name === "currency" && !!custom.value.trim());
    if (target.name === "amount") custom.value = "";
    withdrawOffer(picker);
    drawSummary(picker);
  });
  custom.addEventListener("input", () => {
    form.querySelectorAll<HTMLInputElement>("input[name=amount]").forEach((radio) => (radio.checked = false));
    if (picker.amountError.textContent) clearErrors(picker);
    drawSummary(picker);
  });
  listenForContinue(picker);
  listenForReminders(picker);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) startOver(picker);
  });
  // The server drew the presets for the starting state. A reader may have changed the frequency or
  // currency before this script arrived: then the presets follow now.
  if (picker.section.dataset.rfDrawn !== `${picker.frequency()}:${picker.currency()}`) drawPresets(picker, false);
  drawSummary(picker);
}

/** Back from Checkout with the browser's Back button: the page is restored as it was left, for a new attempt. */
function startOver(picker: Picker): void {
  setBusy(picker, false);
  // A UUID (version 4) from random bytes, as the server's schema expects.
  const hex = randomHex(16);
  const variant = ((parseInt(hex[16]!, 16) & 3) | 8).toString(16);
  picker.field("attemptId").value = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  picker.status.textContent = "";
  drawSummary(picker);
}

// The loader may have queued shadow roots before this script arrived; our own pages have none.
const queued = window.Readerfund?.queue ?? [];
window.Readerfund = { mount };
queued.forEach(mount);
// An async script can run before the page below it is parsed.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mount(document));
else mount(document);
