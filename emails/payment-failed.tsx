import { Action, EmailLayout, P, TextLink, Title } from "./components/layout";
import { type Kit, kitFor, type TemplateProps } from "./kit";
import type { PaymentFailedProps } from "./props";

/**
 * A payment of a recurring gift did not go through: calm, no blame; when we will try again (or that
 * we will not), and a link to pay with another card.
 */

export const previewProps: PaymentFailedProps = {
  amountMinor: 1000,
  currency: "eur",
  frequency: "monthly",
  attemptCount: 1,
  nextAttemptAt: "2026-04-04T08:02:00.000Z",
  updateCardUrl: "https://invoice.stripe.com/i/acct_1QxTq2eZvKYlo2C/test_YWNjdF8xUXhUcTJlWnZLWWxvMkMsX1J4",
  manageUrl: "https://gifts.example.org/manage?token=eyJleGFtcGxlIjoxfQ.c2lnbmF0dXJl.a2V5ZWQ",
};

export function subject(props: PaymentFailedProps, kit: Kit): string {
  return kit.t.paymentFailed.subject({ amount: kit.money(props.amountMinor, props.currency) });
}

export default function PaymentFailedEmail(props: TemplateProps<PaymentFailedProps>) {
  const kit = kitFor(props);
  const { t } = kit;
  const m = t.paymentFailed;
  const gift = { amount: kit.money(props.amountMinor, props.currency), frequency: props.frequency };

  return (
    <EmailLayout kit={kit} title={subject(props, kit)} preview={m.preview} why={t.whyRecurring(kit.newsroom)}>
      <Title>{m.heading}</Title>
      <P>{t.greeting(null)}</P>
      <P>{m.failed(gift)}</P>
      {props.attemptCount > 1 && <P>{m.attempts(props.attemptCount)}</P>}
      <P>{props.nextAttemptAt !== null ? m.retry({ date: kit.date(props.nextAttemptAt) }) : m.noRetry}</P>
      <Action href={props.updateCardUrl}>{m.button}</Action>
      {props.manageUrl !== null && (
        <P>
          <TextLink href={props.manageUrl}>{m.manage}</TextLink>
        </P>
      )}
      <P>{m.alreadyDone}</P>
      <P>{t.signOff(kit.newsroom)}</P>
    </EmailLayout>
  );
}

PaymentFailedEmail.PreviewProps = previewProps;
