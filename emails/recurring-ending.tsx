import { Action, EmailLayout, P, Title } from "./components/layout";
import { type Kit, kitFor, type TemplateProps } from "./kit";
import type { RecurringEndingProps } from "./props";

/** A recurring gift is set to end (cancelled at the end of its period): when, and that nothing more will be taken. */

export const previewProps: RecurringEndingProps = {
  amountMinor: 1000,
  currency: "eur",
  frequency: "monthly",
  endsAt: "2026-05-01T08:02:00.000Z",
  manageUrl: "https://gifts.example.org/manage?token=eyJleGFtcGxlIjoxfQ.c2lnbmF0dXJl.a2V5ZWQ",
};

export function subject(props: RecurringEndingProps, kit: Kit): string {
  return kit.t.recurringEnding.subject({ amount: kit.money(props.amountMinor, props.currency), frequency: props.frequency, date: kit.date(props.endsAt) });
}

export default function RecurringEndingEmail(props: TemplateProps<RecurringEndingProps>) {
  const kit = kitFor(props);
  const { t } = kit;
  const m = t.recurringEnding;
  const gift = { amount: kit.money(props.amountMinor, props.currency), frequency: props.frequency };

  return (
    <EmailLayout kit={kit} title={subject(props, kit)} preview={m.preview} why={t.whyRecurring(kit.newsroom)}>
      <Title>{m.heading}</Title>
      <P>{t.greeting(null)}</P>
      <P>{m.ends({ ...gift, date: kit.date(props.endsAt), newsroom: kit.newsroom })}</P>
      {props.manageUrl !== null && (
        <>
          <P>{m.undo({ date: kit.date(props.endsAt) })}</P>
          <Action href={props.manageUrl}>{m.undoButton}</Action>
        </>
      )}
      <P>{m.thanks}</P>
      <P>{t.signOff(kit.newsroom)}</P>
    </EmailLayout>
  );
}

RecurringEndingEmail.PreviewProps = previewProps;
