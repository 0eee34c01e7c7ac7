import { randomUUID } from "node:crypto";
import { cancelGiftAction, changeGiftAction, pauseGiftAction, resumeGiftAction, revokeLinksAction, undoCancelGiftAction, updateCardAction } from "@/app/manage/actions";
import { fill, type Locale, type Messages } from "@/lib/i18n";
import { describeRecurring, formatDate } from "@/lib/i18n/format";
import { formatMoneyExact, isGiftCurrency, minorToInput } from "@/lib/money";
import type { RecurringGiftView } from "@/lib/supporters/recurring-gifts";
import { CancelGiftForm, ChangeGiftForm, type GiftFormContext, GiftActionForm, PauseForm } from "./recurring-gift-forms";
import { RefreshWhilePending } from "./recurring-refresh";

/**
 * One recurring gift's management, the same on the manage page (a link's one gift) and in the
 * account (each of the supporter's gifts): what it is, its next payment or why none, what is waiting
 * for Stripe, and the forms its state allows (lib/supporters/recurring-gift-rules.ts; the actions
 * refuse the rest anyway).
 */
export function RecurringGiftManager(props: { gift: RecurringGiftView; locale: Locale; m: Messages; token: string | null; level: 2 | 3 }) {
  const { gift, locale, m, token } = props;
  const mm = m.manage;
  const Heading = props.level === 2 ? "h2" : "h3";
  const Sub = props.level === 2 ? "h3" : "h4";
  const headingId = `gift-${gift.id}-heading`;
  const described = describeRecurring(m, gift.amountMinor, gift.currency, gift.interval, gift.intervalCount, locale);
  const context = (): GiftFormContext => ({ recurringGiftId: gift.id, attemptId: randomUUID(), token, lang: locale });
  const can = (action: RecurringGiftView["actions"][number]) => gift.actions.includes(action);
  const frequency = gift.frequency === "annual" ? "annual" : "monthly";
  const endsOn = gift.cancelAt ?? gift.currentPeriodEnd;

  return (
    <article id={`gift-${gift.id}`} className="recurring-gift" aria-labelledby={headingId} data-testid="recurring-gift">
      <Heading id={headingId}>{described.charAt(0).toUpperCase() + described.slice(1)}</Heading>
      <StatusLine gift={gift} locale={locale} m={m} />
      {gift.pending.length > 0 && (
        <div className="notice" role="status" data-testid="pending-requests">
          <p>{mm.pendingTitle}:</p>
          <ul>
            {gift.pending.map((request) => (
              <li key={request.id}>
                {pendingText(request, gift, locale, m)} — {mm.waiting}
              </li>
            ))}
          </ul>
        </div>
      )}
      {gift.pending.length > 0 && <RefreshWhilePending pending={gift.pending.length} slowText={mm.slow} />}

      {can("undo_cancel") && <GiftActionForm action={undoCancelGiftAction} context={context()} m={mm} submit={mm.undo.submit} hint={mm.undo.hint} />}
      {can("resume") && <GiftActionForm action={resumeGiftAction} context={context()} m={mm} submit={mm.resume.submit} />}
      {can("update_card") && <GiftActionForm action={updateCardAction} context={context()} m={mm} submit={mm.card.submit} hint={mm.card.hint} secondary={gift.status !== "past_due"} />}
      {can("change") && isGiftCurrency(gift.currency) && (
        <section aria-labelledby={`${headingId}-change`}>
          <Sub id={`${headingId}-change`}>{mm.change.title}</Sub>
          <ChangeGiftForm
            action={changeGiftAction}
            context={context()}
            m={mm}
            currency={gift.currency}
            amount={minorToInput(gift.amountMinor, gift.currency)}
            frequency={frequency}
            amountText={m.picker.amount}
            locale={locale}
          />
        </section>
      )}
      {can("pause") && (
        <section aria-labelledby={`${headingId}-pause`}>
          <Sub id={`${headingId}-pause`}>{mm.pause.title}</Sub>
          <PauseForm action={pauseGiftAction} context={context()} m={mm} />
        </section>
      )}
      {can("cancel") && (
        <details className="cancel-gift">
          <summary>{mm.cancel.summary}</summary>
          {/* At most one offer, skipped by pressing "Cancel my gift" below it. */}
          {can("pause") && (
            <GiftActionForm action={pauseGiftAction} context={context()} m={mm} submit={mm.cancel.offerPauseSubmit} hint={mm.cancel.offerPause} secondary>
              <input type="hidden" name="months" value="1" />
            </GiftActionForm>
          )}
          <CancelGiftForm action={cancelGiftAction} context={context()} m={mm} endsOn={endsOn ? formatDate(endsOn, locale) : null} now={gift.status === "past_due"} />
        </details>
      )}
      <details className="revoke-links">
        <summary>{mm.revoke.summary}</summary>
        <GiftActionForm
          action={revokeLinksAction}
          context={context()}
          m={mm}
          submit={mm.revoke.submit}
          hint={token ? `${mm.revoke.hint} ${mm.revoke.hintLink}` : mm.revoke.hint}
          secondary
        />
      </details>
    </article>
  );
}

function StatusLine({ gift, locale, m }: { gift: RecurringGiftView; locale: Locale; m: Messages }) {
  const s = m.manage.status;
  const date = (d: Date) => formatDate(d, locale);
  let text: string;
  switch (gift.status) {
    case "active":
      text = gift.currentPeriodEnd
        ? fill(s.nextPayment, { amount: formatMoneyExact(gift.amountMinor, gift.currency, locale), date: date(gift.currentPeriodEnd) })
        : s.unknown;
      break;
    case "paused":
      text = gift.pausedUntil ? fill(s.paused, { date: date(gift.pausedUntil) }) : s.unknown;
      break;
    case "cancelling": {
      const on = gift.cancelAt ?? gift.currentPeriodEnd;
      text = on ? fill(s.ending, { date: date(on) }) : s.unknown;
      break;
    }
    case "past_due":
      text = gift.nextPaymentAttemptAt ? `${s.pastDue} ${fill(s.nextAttempt, { date: date(gift.nextPaymentAttemptAt) })}` : s.pastDue;
      break;
    case "ended":
      text = gift.endedAt ? fill(s.endedOn, { date: date(gift.endedAt) }) : s.ended;
      break;
    case "incomplete":
      text = s.incomplete;
      break;
    default:
      text = s.unknown;
  }

  return (
    <p data-testid="gift-status" className={gift.status === "past_due" ? "error" : undefined}>
      {text}
    </p>
  );
}

function pendingText(request: RecurringGiftView["pending"][number], gift: RecurringGiftView, locale: Locale, m: Messages): string {
  const p = m.manage.pending;
  const asked = request.requested;
  switch (request.kind) {
    case "change_amount":
    case "change_frequency": {
      const amount = formatMoneyExact(Number(asked.amountMinor), gift.currency, locale);
      const per = asked.interval === "year" ? m.manage.perPeriod.annual : m.manage.perPeriod.monthly;

      return fill(p[request.kind], { gift: fill(per, { amount }) });
    }
    case "pause":
      return typeof asked.resumesAt === "string" ? fill(p.pause, { date: formatDate(new Date(asked.resumesAt), locale) }) : p.resume;
    default:
      return p[request.kind];
  }
}
