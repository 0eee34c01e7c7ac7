import { Action, EmailLayout, P, Title } from "./components/layout";
import { type Kit, kitFor, type TemplateProps } from "./kit";
import type { RecurringEndedProps } from "./props";

/**
 * A recurring gift has ended, worded for why: as asked, payments that could not be collected, a
 * disputed payment, or otherwise; with a link to start again.
 */

export const previewProps: RecurringEndedProps = {
  amountMinor: 1000,
  currency: "eur",
  frequency: "monthly",
  endedAt: "2026-05-01T08:02:00.000Z",
  reason: "payment_failed",
  restartUrl: "http://localhost:3000/donate?frequency=monthly&currency=eur",
};

export function subject(props: RecurringEndedProps, kit: Kit): string {
  return kit.t.recurringEnded.subject({ frequency: props.frequency });
}

export default function RecurringEndedEmail(props: TemplateProps<RecurringEndedProps>) {
  const kit = kitFor(props);
  const { t } = kit;
  const m = t.recurringEnded;
  const gift = { amount: kit.money(props.amountMinor, props.currency), frequency: props.frequency, date: kit.date(props.endedAt) };
  const failed = props.reason === "payment_failed";

  return (
    <EmailLayout kit={kit} title={subject(props, kit)} preview={m.preview} why={t.whyGave(kit.newsroom)}>
      <Title>{m.heading(gift)}</Title>
      <P>{t.greeting(null)}</P>
      <P>{m.ended[props.reason](gift)}</P>
      <P>{m.thanks}</P>
      <P>{failed ? m.restartAfterFailure : m.restart}</P>
      <Action href={props.restartUrl}>{failed ? m.buttonAfterFailure : m.button}</Action>
      <P>{t.signOff(kit.newsroom)}</P>
    </EmailLayout>
  );
}

RecurringEndedEmail.PreviewProps = previewProps;
