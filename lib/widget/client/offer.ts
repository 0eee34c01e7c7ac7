import { fill } from "@/lib/i18n/fill";
import { drawPresets, drawSummary } from "./draw";
import type { Picker } from "./model";

/**
 * The monthly offer, made once to a one-time giver before Checkout: the largest monthly preset at
 * most a third of their gift (else the smallest). Two buttons, the monthly gift first and primary,
 * the gift as it was plainly secondary; either goes on to Checkout. Continue steps aside meanwhile:
 * the offer's two buttons are the way on.
 */
export function offerMonthly(picker: Picker, minor: number, proceed: () => void): void {
  const { $, m, field, money } = picker;
  const monthly = picker.config.presets.monthly[picker.currency()];
  const suggestion = monthly.amounts.filter((a) => a * 3 <= minor).pop() ?? monthly.amounts[0]!;
  const offer = $("[data-rf-upsell]");
  const yes = $<HTMLButtonElement>("[data-rf-upsell-yes]");
  const no = $<HTMLButtonElement>("[data-rf-upsell-no]");
  $("[data-rf-upsell-body]").textContent = fill(m.upsellBody, { monthly: money(suggestion) });
  yes.textContent = fill(m.upsellYes, { monthly: money(picker.withFee(suggestion)) });
  no.textContent = fill(m.upsellNo, { amount: money(picker.withFee(minor)) });
  yes.onclick = () => {
    field("variant").value = [field("variant").value, "upsell-monthly"].filter(Boolean).join("+");
    picker.form.querySelector<HTMLInputElement>("input[name=frequency][value=monthly]")!.checked = true;
    picker.custom.value = "";
    drawPresets(picker, false);
    const preset = [...picker.form.querySelectorAll<HTMLInputElement>("input[name=amount]")].find((r) => r.value === picker.toInput(suggestion));
    if (preset) preset.checked = true;
    else picker.custom.value = picker.toInput(suggestion);
    close(picker);
    drawSummary(picker);
    proceed();
  };
  no.onclick = () => {
    close(picker);
    proceed();
  };
  offer.hidden = false;
  picker.continueButton.hidden = true;
  yes.focus();
}

/** The focused button is about to disappear: the focus goes to Continue, which says what happens. */
function close(picker: Picker): void {
  withdrawOffer(picker);
  picker.continueButton.focus();
}

/** Any change of the gift withdraws an open offer: it was made for the gift as it was. */
export function withdrawOffer(picker: Picker): void {
  picker.$("[data-rf-upsell]").hidden = true;
  picker.continueButton.hidden = false;
}
