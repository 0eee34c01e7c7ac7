/**
 * The picker's behaviour, in the browser, on every page that shows it: our /donate page, the
 * server-rendered block, and article pages on other origins (inside the embed's shadow root).
 * No framework and no dependency but our own small modules: with the CSS it must stay under
 * 10 KB gzipped (npm run bench:widget prints the figure). It only enhances the server's markup,
 * which already works as a plain form.
 */
import { solveChallenge } from "@/lib/abuse/solve-challenge";
import { feeToCover } from "@/lib/gifts/fees";
import { fill } from "@/lib/i18n/fill";
import { formatDate } from "@/lib/i18n/format";
import { CURRENCY_RULES, formatMoney, formatMoneyExact, minorToInput, parseAmountToMinor } from "@/lib/money";
import type { PickerClientConfig } from "@/lib/widget/picker-view";
import { HIDE_UNTIL_KEY, randomHex, visitorId } from "./storage";

type Root = Document | ShadowRoot | HTMLElement;
type Frequency = "once" | "monthly" | "annual";
type Currency = keyof typeof CURRENCY_RULES;
type ApiError = { error?: { code?: string; message?: string; fieldErrors?: Record<string, string>; challenge?: unknown } };

declare global {
  interface Window {
    Readerfund?: { mount: (root: Root) => void; queue?: Root[] };
  }
}

function mount(root: Root): void {
  root.querySelectorAll<HTMLElement>("[data-rf-picker]").forEach((section) => {
    try {
      mountPicker(section);
    } catch {
      // This picker stays the plain form it was drawn as; the others on the page still mount.
    }
  });
}

function mountPicker(section: HTMLElement): void {
  if (section.dataset.rfMounted) return;
  section.dataset.rfMounted = "1";
  const $ = <T extends Element = HTMLElement>(selector: string) => section.querySelector<T>(selector)!;
  const config = JSON.parse($("[data-rf-config]").textContent!) as PickerClientConfig;
  const { m, locale } = config;
  const form = $<HTMLFormElement>("[data-rf-form]");
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  const custom = field("customAmount");
  const currencySelect = form.elements.namedItem("currency") as HTMLSelectElement;
  const presetBox = $("[data-rf-presets]");
  const status = $("[data-rf-status]");
  const amountError = $("[data-rf-error=amount]");
  const continueButton = $<HTMLButtonElement>("[data-rf-continue]");
  const terms = $(".rf-terms");
  const upsell = $("[data-rf-upsell]");
  const idPrefix = custom.id.replace(/-custom$/, "");
  let upsellOffered = false;
  let busy = false;

  field("visitorId").value = visitorId();

  const frequency = () => (form.querySelector<HTMLInputElement>("input[name=frequency]:checked")?.value ?? "once") as Frequency;
  const currency = () => currencySelect.value as Currency;
  // The same money code as the server's (lib/money.ts, lib/gifts/fees.ts): one parser, one fee.
  const rules = () => CURRENCY_RULES[currency()];
  const amountText = () => custom.value.trim() || (form.querySelector<HTMLInputElement>("input[name=amount]:checked")?.value ?? "");
  const money = (minor: number, exact = true) => (exact ? formatMoneyExact : formatMoney)(minor, currency(), locale);
  /** The amount typed or chosen, in minor units, or null when it is not one we accept. */
  const amountMinor = (): number | null => {
    const minor = parseAmountToMinor(amountText(), currency());

    return minor !== null && minor >= rules().minMinor && minor <= rules().maxMinor ? minor : null;
  };
  const fee = (minor: number) => feeToCover(minor, currency());
  const toInput = (minor: number) => minorToInput(minor, currency());

  /** Preset radios for the frequency and currency now chosen; a typed amount stays as it is. */
  function drawPresets(keepChoice: boolean) {
    const set = config.presets[frequency()][currency()];
    const per = m.perPeriod[frequency()];
    const wanted = keepChoice ? amountText() : toInput(set.suggested);
    presetBox.textContent = "";
    set.amounts.forEach((preset, index) => {
      const wrap = document.createElement("span");
      wrap.className = "rf-choice";
      const input = document.createElement("input");
      Object.assign(input, { type: "radio", name: "amount", id: `${idPrefix}-amount-${index}`, value: toInput(preset) });
      input.checked = !custom.value.trim() && input.value === wanted;
      const label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = money(preset, false);
      if (per) label.append(Object.assign(document.createElement("span"), { className: "rf-per", textContent: ` ${per}` }));
      if (preset === set.suggested) label.append(Object.assign(document.createElement("span"), { className: "rf-tag", textContent: m.suggested }));
      wrap.append(input, label);
      presetBox.append(wrap);
    });
    $("[data-rf-other-suffix]").textContent = `${per ? ` ${per}` : ""} (${currency().toUpperCase()})`;
  }

  /** Everything that is said about the amount: the fee line and the Continue button. */
  function drawSummary() {
    const minor = amountMinor();
    const coverLabel = $("[data-rf-cover-label]");
    coverLabel.textContent = minor === null ? m.coverFeeNoAmount : fill(m.coverFee, { fee: money(fee(minor)), amount: money(minor) });
    const total = minor === null ? null : minor + (field("coverFee").checked ? fee(minor) : 0);
    if (!busy) terms.textContent = total === null ? m.continue : fill(m.continueWith[frequency()], { amount: money(total) });
    $("[data-rf-email-receipts]").hidden = !field("discreet").checked;
  }

  function showAmountError(message: string) {
    amountError.textContent = message;
    custom.setAttribute("aria-invalid", "true");
    status.textContent = m.fixField;
  }
  function clearErrors() {
    amountError.textContent = "";
    custom.removeAttribute("aria-invalid");
    status.textContent = "";
  }

  form.addEventListener("change", (event) => {
    const target = event.target as HTMLInputElement;
    if (target.name === "frequency" || target.name === "currency") drawPresets(target.name === "currency" && !!custom.value.trim());
    if (target.name === "amount") custom.value = "";
    upsell.hidden = true;
    drawSummary();
  });
  custom.addEventListener("input", () => {
    form.querySelectorAll<HTMLInputElement>("input[name=amount]").forEach((radio) => (radio.checked = false));
    if (amountError.textContent) clearErrors();
    drawSummary();
  });

  /** Posts JSON to one of our endpoints, solving a proof-of-work challenge if the server asks for one. */
  async function post(path: string, body: Record<string, unknown>): Promise<{ response: Response; json: ApiError & Record<string, unknown> }> {
    // The article page may send no referrer at all, which would make the browser's Origin header
    // "null" and the server (with NEWSROOM_ORIGINS set) refuse the call: we ask for the origin alone.
    const send = (payload: Record<string, unknown>) =>
      fetch(`${config.appUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload), referrerPolicy: "origin" });
    let response = await send(body);
    let json = (await response.json().catch(() => ({}))) as ApiError & Record<string, unknown>;
    if (response.status === 428 && json.error?.challenge) {
      status.textContent = m.checking;
      const challenge = await solveChallenge(json.error.challenge as never);
      response = await send({ ...body, challenge });
      json = (await response.json().catch(() => ({}))) as ApiError & Record<string, unknown>;
    }

    return { response, json };
  }

  async function submit() {
    const minor = amountMinor();
    if (minor === null) {
      showAmountError(fill(m.amountRange, { min: money(rules().minMinor), max: money(rules().maxMinor) }));
      custom.focus();

      return;
    }
    if (field("coverFee").checked && minor + fee(minor) > rules().maxMinor) {
      showAmountError(fill(m.overWithFee, { max: money(rules().maxMinor) }));
      custom.focus();

      return;
    }
    const body: Record<string, unknown> = Object.fromEntries(new FormData(form).entries());
    delete body.customAmount;
    Object.assign(body, {
      amount: toInput(minor),
      coverFee: field("coverFee").checked,
      discreet: field("discreet").checked,
      emailReceipts: field("discreet").checked && field("emailReceipts").checked,
    });
    busy = true;
    continueButton.disabled = true;
    status.textContent = m.redirecting;
    try {
      const { response, json } = await post("/api/checkout", body);
      if (response.ok && typeof json.url === "string") {
        terms.textContent = m.redirecting;
        window.location.assign(json.url);

        return;
      }
      const fieldMessage = json.error?.fieldErrors?.amount;
      if (fieldMessage) showAmountError(fieldMessage);
      else status.textContent = json.error?.message ?? m.failed;
    } catch {
      status.textContent = m.network;
    }
    busy = false;
    continueButton.disabled = false;
    drawSummary();
    // The button lost the focus when it was disabled: give it back where the reader acts next.
    (amountError.textContent ? custom : continueButton).focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors();
    const minor = amountMinor();
    // Once, before Continue, a one-time giver is asked whether they would give monthly instead.
    if (frequency() === "once" && minor !== null && !upsellOffered) {
      const monthly = config.presets.monthly[currency()];
      const suggestion = monthly.amounts.filter((a) => a * 3 <= minor).pop() ?? monthly.amounts[0]!;
      upsellOffered = true;
      $("[data-rf-upsell-body]").textContent = fill(m.upsellBody, { monthly: money(suggestion) });
      const yes = $<HTMLButtonElement>("[data-rf-upsell-yes]");
      const no = $<HTMLButtonElement>("[data-rf-upsell-no]");
      const covered = (minor: number) => minor + (field("coverFee").checked ? fee(minor) : 0);
      yes.textContent = fill(m.upsellYes, { monthly: money(covered(suggestion)) });
      no.textContent = fill(m.upsellNo, { amount: money(minor + (field("coverFee").checked ? fee(minor) : 0)) });
      yes.onclick = () => {
        field("variant").value = [field("variant").value, "upsell-monthly"].filter(Boolean).join("+");
        (form.querySelector(`input[name=frequency][value=monthly]`) as HTMLInputElement).checked = true;
        custom.value = "";
        drawPresets(false);
        const preset = [...form.querySelectorAll<HTMLInputElement>("input[name=amount]")].find((r) => r.value === toInput(suggestion));
        if (preset) preset.checked = true;
        else custom.value = toInput(suggestion);
        upsell.hidden = true;
        drawSummary();
        continueButton.focus();
        void submit();
      };
      no.onclick = () => {
        // The focused button is about to disappear: the focus goes to Continue, which says what happens.
        upsell.hidden = true;
        continueButton.focus();
        void submit();
      };
      upsell.hidden = false;
      yes.focus();

      return;
    }
    void submit();
  });

  // Back from Checkout with the browser's Back button: the page is restored as it was left.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    busy = false;
    continueButton.disabled = false;
    // A new attempt: a UUID (version 4) from random bytes, as the server's schema expects.
    const hex = randomHex(16);
    field("attemptId").value = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    status.textContent = "";
    drawSummary();
  });

  // "Remind me later".
  const laterLine = $("[data-rf-later-line]");
  const laterButton = $<HTMLButtonElement>("[data-rf-later]");
  const remindForm = $<HTMLFormElement>("[data-rf-remind]");
  const remindStatus = $("[data-rf-remind-status]");
  const remindError = $("[data-rf-error=remind]");
  laterLine.classList.remove("rf-await-script");
  laterButton.addEventListener("click", () => {
    const open = remindForm.hidden;
    remindForm.hidden = !open;
    laterButton.setAttribute("aria-expanded", String(open));
    if (open) remindForm.querySelector<HTMLInputElement>("input[name=choice]:checked")?.focus();
  });
  let reminding = false;
  remindForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (reminding) return;
    reminding = true;
    const remindButton = remindForm.querySelector<HTMLButtonElement>("button[type=submit]")!;
    remindButton.disabled = true;
    const data = new FormData(remindForm);
    const email = String(data.get("email") ?? "").trim();
    remindError.textContent = "";
    const body = {
      visitorId: field("visitorId").value,
      choice: data.get("choice"),
      ...(email ? { email } : {}),
      locale,
      // An amount not yet valid is remembered as the suggested one: the reminder reopens a picker that works.
      picker: {
        frequency: frequency(),
        currency: currency(),
        amount: toInput(amountMinor() ?? config.presets[frequency()][currency()].suggested),
        coverFee: field("coverFee").checked,
      },
      articleUrl: field("articleUrl").value || undefined,
      section: field("section").value || undefined,
      campaign: field("campaign").value || undefined,
      variant: field("variant").value || undefined,
    };
    try {
      const { response, json } = await post("/api/reminders", body);
      const reminder = json.reminder as { dueAt: string; email: boolean } | undefined;
      if (response.ok && reminder) {
        const due = new Date(reminder.dueAt);
        try {
          localStorage.setItem(HIDE_UNTIL_KEY, String(due.getTime()));
        } catch {
          // Storage refused (private mode): the reminder stands; the box just shows again.
        }
        remindForm.hidden = true;
        laterLine.hidden = true;
        const date = formatDate(due, locale);
        remindStatus.textContent = fill(reminder.email ? m.doneEmail : m.doneHidden, { date });
        // The form that held the focus is gone: the confirmation takes it, and is read out.
        remindStatus.focus();

        return;
      }
      const errors = json.error?.fieldErrors ?? {};
      remindError.textContent = errors.email ?? errors.choice ?? Object.values(errors)[0] ?? json.error?.message ?? m.failed;
    } catch {
      remindError.textContent = m.network;
    }
    reminding = false;
    remindButton.disabled = false;
    remindForm.querySelector<HTMLInputElement>("input[name=email]")?.focus();
  });

  // The server drew the presets for the starting state. A reader may have changed the frequency or
  // currency before this script arrived: then the presets follow now.
  if (section.dataset.rfDrawn !== `${frequency()}:${currency()}`) drawPresets(false);
  drawSummary();
}

// The loader may have queued shadow roots before this script arrived; our own pages have none.
const queued = window.Readerfund?.queue ?? [];
window.Readerfund = { mount };
queued.forEach(mount);
// An async script can run before the page below it is parsed.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mount(document));
else mount(document);
