import { fill } from "@/lib/i18n/fill";
import { formatDate } from "@/lib/i18n/format";
import type { Picker } from "./model";
import { post, refusalMessage } from "./post";
import { snoozeUntil } from "./storage";

/**
 * "Remind me later": a disclosure that opens a small form (when, and an optional email). Once the
 * reminder is set, the browser keeps its date (the box stays away until then) and the form's place
 * holds the confirmation.
 */
export function listenForReminders(picker: Picker): void {
  const laterLine = picker.$("[data-rf-later-line]");
  const laterButton = picker.$<HTMLButtonElement>("[data-rf-later]");
  const remindForm = picker.$<HTMLFormElement>("[data-rf-remind]");
  laterLine.classList.remove("rf-await-script");
  laterButton.addEventListener("click", () => {
    const open = remindForm.hidden;
    remindForm.hidden = !open;
    laterButton.setAttribute("aria-expanded", String(open));
    if (open) remindForm.querySelector<HTMLInputElement>("input[name=choice]:checked")?.focus();
  });
  let sending = false;
  remindForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (sending) return;
    sending = true;
    const button = remindForm.querySelector<HTMLButtonElement>("button[type=submit]")!;
    button.disabled = true;
    void setReminder(picker, remindForm).then((done) => {
      if (done) return;
      sending = false;
      button.disabled = false;
      remindForm.querySelector<HTMLInputElement>("input[name=email]")?.focus();
    });
  });
}

/** Sends the reminder; true once it is set (and confirmed to the reader), false after showing why not. */
async function setReminder(picker: Picker, remindForm: HTMLFormElement): Promise<boolean> {
  const { $, m } = picker;
  const error = $("[data-rf-error=remind]");
  error.textContent = "";
  try {
    const { response, json } = await post(picker, "/api/reminders", reminderBody(picker, new FormData(remindForm)));
    const reminder = json.reminder as { dueAt: string; email: boolean } | undefined;
    if (response.ok && reminder) {
      const due = new Date(reminder.dueAt);
      snoozeUntil(due);
      remindForm.hidden = true;
      $("[data-rf-later-line]").hidden = true;
      const done = $("[data-rf-remind-status]");
      done.textContent = fill(reminder.email ? m.doneEmail : m.doneHidden, { date: formatDate(due, picker.config.locale) });
      // The form that held the focus is gone: the confirmation takes it, and is read out.
      done.focus();

      return true;
    }
    error.textContent = json.error?.fieldErrors?.email ? m.emailInvalid : refusalMessage(picker, json);
  } catch {
    error.textContent = m.network;
  }

  return false;
}

function reminderBody(picker: Picker, data: FormData): Record<string, unknown> {
  const { field, config } = picker;
  const email = String(data.get("email") ?? "").trim();
  const frequency = picker.frequency();

  return {
    visitorId: field("visitorId").value,
    choice: data.get("choice"),
    ...(email ? { email } : {}),
    locale: config.locale,
    // An amount not yet valid is remembered as the suggested one: the reminder reopens a picker that works.
    picker: {
      frequency,
      currency: picker.currency(),
      amount: picker.toInput(picker.amountMinor() ?? config.presets[frequency][picker.currency()].suggested),
      coverFee: field("coverFee").checked,
    },
    articleUrl: field("articleUrl").value || undefined,
    section: field("section").value || undefined,
    campaign: field("campaign").value || undefined,
    variant: field("variant").value || undefined,
  };
}
