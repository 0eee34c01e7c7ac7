import { clearErrors, drawSummary, showAmountError } from "./draw";
import type { Picker } from "./model";
import { offerMonthly } from "./offer";
import { post, refusalMessage } from "./post";

/**
 * Continue: checks the amount with the server's own rules, offers a one-time giver the monthly
 * gift once, then asks our server for a Checkout Session and goes there.
 */
export function listenForContinue(picker: Picker): void {
  let offered = false;
  picker.form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (picker.busy) return;
    clearErrors(picker);
    const minor = picker.amountMinor();
    // Once, before Continue, a one-time giver is asked whether they would give monthly instead.
    if (picker.frequency() === "once" && minor !== null && !picker.amountProblem() && !offered) {
      offered = true;
      offerMonthly(picker, minor, () => void submitGift(picker));

      return;
    }
    void submitGift(picker);
  });
}

export async function submitGift(picker: Picker): Promise<void> {
  const { field, m } = picker;
  const problem = picker.amountProblem();
  const minor = picker.amountMinor();
  if (problem || minor === null) {
    showAmountError(picker, problem ?? m.failed);
    picker.custom.focus();

    return;
  }
  const body: Record<string, unknown> = Object.fromEntries(new FormData(picker.form).entries());
  delete body.customAmount;
  Object.assign(body, {
    amount: picker.toInput(minor),
    coverFee: field("coverFee").checked,
    discreet: field("discreet").checked,
    emailReceipts: field("discreet").checked && field("emailReceipts").checked,
  });
  setBusy(picker, true);
  picker.status.textContent = m.redirecting;
  try {
    const { response, json } = await post(picker, "/api/checkout", body);
    if (response.ok && typeof json.url === "string") {
      picker.$(".rf-terms").textContent = m.redirecting;
      window.location.assign(json.url);

      return;
    }
    // The amount was checked here with the server's rules: a refusal of it is one of those, said our way.
    if (json.error?.fieldErrors?.amount) showAmountError(picker, picker.amountProblem() ?? m.fixField);
    else picker.status.textContent = refusalMessage(picker, json);
  } catch {
    picker.status.textContent = m.network;
  }
  setBusy(picker, false);
  drawSummary(picker);
  // The button lost the focus when it was disabled: give it back where the reader acts next.
  (picker.amountError.textContent ? picker.custom : picker.continueButton).focus();
}

export function setBusy(picker: Picker, busy: boolean): void {
  picker.busy = busy;
  picker.continueButton.disabled = busy;
}
