import { Details, EmailLayout, P, TextLink, Title } from "./components/layout";
import { type Kit, kitFor, type TemplateProps } from "./kit";
import type { ReceiptRecurringProps } from "./props";

/**
 * A receipt for a payment of a recurring gift: the first one ("your monthly gift has started") or a
 * renewal ("thank you for your continued support"), with the period it pays for and the next date.
 */

export const previewProps: ReceiptRecurringProps = {
  amountMinor: 1000,
  currency: "eur",
  paidAt: "2026-03-01T08:02:11.000Z",
  receiptId: "ch_3QyB7d2eZvKYlo2C1Jw4kP0s",
  supporterName: "Anna Petrova",
  frequency: "monthly",
  first: true,
  periodStart: "2026-03-01T08:02:00.000Z",
  periodEnd: "2026-04-01T08:02:00.000Z",
  nextPaymentAt: "2026-04-01T08:02:00.000Z",
  manageUrl: "https://gifts.example.org/manage?token=eyJleGFtcGxlIjoxfQ.c2lnbmF0dXJl.a2V5ZWQ",
};

export function subject(props: ReceiptRecurringProps, kit: Kit): string {
  const amount = kit.money(props.amountMinor, props.currency);

  return props.first
    ? kit.t.receiptRecurring.subjectFirst({ amount, frequency: props.frequency, newsroom: kit.newsroom })
    : kit.t.receiptRecurring.subjectRenewal({ amount, newsroom: kit.newsroom });
}

export default function ReceiptRecurringEmail(props: TemplateProps<ReceiptRecurringProps>) {
  const kit = kitFor(props);
  const { t } = kit;
  const m = t.receiptRecurring;
  const gift = { amount: kit.money(props.amountMinor, props.currency), frequency: props.frequency };

  return (
    <EmailLayout kit={kit} title={subject(props, kit)} preview={m.preview} why={t.whyRecurring(kit.newsroom)}>
      <Title>{props.first ? m.headingFirst(gift) : m.headingRenewal}</Title>
      <P>{t.greeting(props.supporterName)}</P>
      <P>{props.first ? m.receivedFirst(gift) : m.receivedRenewal(gift)}</P>
      <Details
        label={t.details.label}
        rows={[
          [t.details.amount, gift.amount],
          [t.details.frequency, t.frequencyName[props.frequency]],
          [t.details.date, kit.date(props.paidAt)],
          props.periodStart !== null && props.periodEnd !== null && [t.details.period, kit.dateRange(props.periodStart, props.periodEnd)],
          props.nextPaymentAt !== null && [t.details.nextPayment, kit.date(props.nextPaymentAt)],
          [t.details.reference, props.receiptId],
        ]}
      />
      <P>{m.keep}</P>
      {props.manageUrl !== null && (
        <>
          <P>
            <TextLink href={props.manageUrl}>{m.manage}</TextLink>
          </P>
          <P>{m.manageNote}</P>
        </>
      )}
      <P>{t.signOff(kit.newsroom)}</P>
    </EmailLayout>
  );
}

ReceiptRecurringEmail.PreviewProps = previewProps;
