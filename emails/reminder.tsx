import { Action, EmailLayout, FooterText, P, TextLink, Title } from "./components/layout";
import { type Kit, kitFor, type TemplateProps } from "./kit";
import type { ReminderProps } from "./props";

/**
 * "Remind me later", come due: a button back to the gift as the reader left it, a one-click cancel
 * of the reminder, and (this being the one email a reader did not cause by paying) an unsubscribe
 * link. The subject and preview say nothing about giving.
 */

export const previewProps: ReminderProps = {
  reopenUrl: "http://localhost:3000/donate?frequency=monthly&currency=eur&amount=10",
  cancelUrl: "http://localhost:3000/reminders/cancel?token=rm_7f3c9a1e5b2d4f60",
  unsubscribeUrl: "http://localhost:3000/unsubscribe?token=un_2b8e4d6f1a3c5e70",
  amountMinor: 1000,
  currency: "eur",
  frequency: "monthly",
};

export function subject(_props: ReminderProps, kit: Kit): string {
  return kit.t.reminder.subject;
}

export default function ReminderEmail(props: TemplateProps<ReminderProps>) {
  const kit = kitFor(props);
  const m = kit.t.reminder;
  const amount = props.amountMinor !== null && props.currency !== null ? kit.money(props.amountMinor, props.currency) : null;

  return (
    <EmailLayout
      kit={kit}
      title={subject(props, kit)}
      preview={m.preview}
      why={m.why(kit.newsroom)}
      footer={
        <FooterText>
          <TextLink href={props.unsubscribeUrl}>{m.unsubscribe}</TextLink>
        </FooterText>
      }
    >
      <Title>{m.heading}</Title>
      <P>{kit.t.greeting(null)}</P>
      <P>{m.asked({ newsroom: kit.newsroom })}</P>
      {props.frequency !== null && <P>{m.chosen({ frequency: props.frequency, amount })}</P>}
      <P>{m.invite}</P>
      <Action href={props.reopenUrl}>{m.button}</Action>
      <P>
        {m.changedMind} <TextLink href={props.cancelUrl}>{m.cancel}</TextLink>
      </P>
    </EmailLayout>
  );
}

ReminderEmail.PreviewProps = previewProps;
