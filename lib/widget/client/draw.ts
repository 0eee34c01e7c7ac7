import { fill } from "@/lib/i18n/fill";
import type { Picker } from "./model";

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string>): HTMLElementTagNameMap[K] => Object.assign(document.createElement(tag), props);

/**
 * The preset tiles for the frequency and currency now chosen, drawn as the server draws them
 * (lib/widget/picker-view.tsx); a typed amount stays as it is. With them, every label that names
 * the period: the amount's legend, the other amount's, and whether a gift can be cancelled.
 */
export function drawPresets(picker: Picker, keepChoice: boolean): void {
  const { m, config, custom, $ } = picker;
  const frequency = picker.frequency();
  const set = config.presets[frequency][picker.currency()];
  const per = m.perPeriod[frequency];
  const wanted = keepChoice ? picker.amountText() : picker.toInput(set.suggested);
  const tiles = $("[data-rf-presets]");
  tiles.className = `rf-tiles rf-n${set.amounts.length}`;
  tiles.replaceChildren(
    ...set.amounts.map((preset, index) => {
      const input = el("input", { type: "radio", name: "amount", id: `${picker.idPrefix}-amount-${index}`, value: picker.toInput(preset) });
      input.checked = !custom.value.trim() && input.value === wanted;
      const label = el("label", { htmlFor: input.id, textContent: picker.money(preset) });
      if (per) label.append(el("span", { className: "rf-hidden-text", textContent: ` ${per}` }));
      if (preset === set.suggested) label.append(el("span", { className: "rf-tag", textContent: m.suggested }));
      const tile = el("span", { className: "rf-choice" });
      tile.append(input, label);

      return tile;
    }),
  );
  $("[data-rf-amount-legend]").textContent = m.amountLegend[frequency];
  $("[data-rf-other-suffix]").textContent = per ? ` ${per}` : "";
  $("[data-rf-cancel-any-time]").hidden = frequency === "once";
}

/** Everything that is said about the amount: the fee line and the Continue button. */
export function drawSummary(picker: Picker): void {
  const { m, $, field } = picker;
  const minor = picker.amountMinor();
  $("[data-rf-cover-label]").textContent =
    minor === null ? m.coverFeeNoAmount : fill(m.coverFee, { fee: picker.money(picker.fee(minor)), amount: picker.money(minor) });
  if (!picker.busy) {
    $(".rf-terms").textContent = minor === null ? m.continue : fill(m.continueWith[picker.frequency()], { amount: picker.money(picker.withFee(minor)) });
  }
  $("[data-rf-email-receipts]").hidden = !field("discreet").checked;
}

export function showAmountError(picker: Picker, message: string): void {
  picker.amountError.textContent = message;
  picker.custom.setAttribute("aria-invalid", "true");
  picker.status.textContent = picker.m.fixField;
}

export function clearErrors(picker: Picker): void {
  picker.amountError.textContent = "";
  picker.custom.removeAttribute("aria-invalid");
  picker.status.textContent = "";
}
