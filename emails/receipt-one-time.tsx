import { Details, EmailLayout, P, Title } from "./components/layout";
import { type Kit, kitFor, type TemplateProps } from "./kit";
import type { ReceiptOneTimeProps } from "./props";

/** A receipt for a one-time gift: thanks, amount, date, a reference; never anything about the card. */

export const previewProps: ReceiptOneTimeProps = {
  amountMinor: 2500,
  currency: "eur",
  paidAt: "2026-03-14T09:26:53.000Z",
  receiptId: "ch_3QxTqL2eZvKYlo2C0a8fJ1bd",
  supporterName: "Anna Petrova",
};

export function subject(props: ReceiptOneTimeProps, kit: Kit): string {
  return kit.t.receiptOneTime.subject({ amount: kit.money(props.amountMinor, props.currency), newsroom: kit.newsroom });
}

export default function ReceiptOneTimeEmail(props: TemplateProps<ReceiptOneTimeProps>) {
  const kit = kitFor(props);
  const { t } = kit;
  const amount = kit.money(props.amountMinor, props.currency);

  return (
    <EmailLayout kit={kit} title={subject(props, kit)} preview={t.receiptOneTime.preview} why={t.whyGave(kit.newsroom)}>
      <Title>{t.receiptOneTime.heading}</Title>
      <P>{t.greeting(props.supporterName)}</P>
      <P>{t.receiptOneTime.received({ amount })}</P>
      <Details
        label={t.details.label}
        rows={[
          [t.details.amount, amount],
          [t.details.frequency, t.frequencyName.once],
          [t.details.date, kit.date(props.paidAt)],
          [t.details.reference, props.receiptId],
        ]}
      />
      <P>{t.receiptOneTime.keep}</P>
      <P>{t.signOff(kit.newsroom)}</P>
    </EmailLayout>
  );
}

ReceiptOneTimeEmail.PreviewProps = previewProps;
