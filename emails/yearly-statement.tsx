import { DataTable, Details, EmailLayout, P, Subtitle, Title } from "./components/layout";
import { type Kit, kitFor, type TemplateProps } from "./kit";
import type { YearlyStatementProps } from "./props";

/**
 * A supporter's gifts in a year: one row per payment (with what was given back, if anything), then a
 * total for each currency on its own, net of refunds and lost disputes (amounts in different
 * currencies are never added together, nor converted). The figures come from
 * lib/supporters/statement.ts, which the account's PDF statement uses too.
 */

export const previewProps: YearlyStatementProps = {
  year: 2026,
  supporterName: "Anna Petrova",
  payments: [
    { paidAt: "2026-01-12T10:15:00.000Z", amountMinor: 2500, currency: "eur", frequency: "once" },
    { paidAt: "2026-03-01T08:02:11.000Z", amountMinor: 1000, currency: "eur", frequency: "monthly" },
    { paidAt: "2026-04-01T08:02:09.000Z", amountMinor: 1000, currency: "eur", frequency: "monthly" },
    { paidAt: "2026-06-20T17:40:00.000Z", amountMinor: 5000, currency: "usd", frequency: "once" },
  ],
  totals: [
    { currency: "eur", amountMinor: 4500 },
    { currency: "usd", amountMinor: 5000 },
  ],
};

/** Refunded, and taken back by a lost dispute: the two ways a payment is given back. */
const returnedOf = (line: { refundedMinor?: number; disputeLostMinor?: number }) => (line.refundedMinor ?? 0) + (line.disputeLostMinor ?? 0);

export function subject(props: YearlyStatementProps, kit: Kit): string {
  return kit.t.yearlyStatement.subject({ year: props.year });
}

export default function YearlyStatementEmail(props: TemplateProps<YearlyStatementProps>) {
  const kit = kitFor(props);
  const { t } = kit;
  const m = t.yearlyStatement;
  const { year } = props;
  const payments = [...props.payments].sort((a, b) => Date.parse(a.paidAt) - Date.parse(b.paidAt));
  const anyReturned = payments.some((p) => returnedOf(p) > 0);

  return (
    <EmailLayout kit={kit} title={subject(props, kit)} preview={m.preview({ year })} why={m.why({ newsroom: kit.newsroom, year })}>
      <Title>{m.heading({ year })}</Title>
      <P>{t.greeting(props.supporterName)}</P>
      <P>{m.intro({ year, newsroom: kit.newsroom })}</P>
      {payments.length > 0 ? (
        anyReturned ? (
          <DataTable
            caption={m.caption({ year })}
            columns={[m.columns.date, m.columns.gift, m.columns.amount, m.columns.returned]}
            rows={payments.map((p) => {
              const returned = returnedOf(p);

              return [kit.date(p.paidAt), t.frequencyName[p.frequency], kit.money(p.amountMinor, p.currency), returned > 0 ? m.returned({ amount: kit.money(returned, p.currency) }) : ""];
            })}
            alignEnd={[2, 3]}
          />
        ) : (
          <DataTable
            caption={m.caption({ year })}
            columns={[m.columns.date, m.columns.gift, m.columns.amount]}
            rows={payments.map((p) => [kit.date(p.paidAt), t.frequencyName[p.frequency], kit.money(p.amountMinor, p.currency)])}
            alignEnd={[2]}
          />
        )
      ) : (
        <P>{m.none}</P>
      )}
      {props.totals.length > 0 && (
        <>
          <Subtitle>{m.totalsHeading}</Subtitle>
          <Details
            label={m.totalsHeading}
            rows={props.totals.map(({ currency, amountMinor }) => [m.total({ currency: currency.toUpperCase() }), kit.money(amountMinor, currency)])}
          />
          {props.totals
            .filter((total) => returnedOf(total) > 0 && total.paidMinor !== undefined)
            .map((total) => (
              <P key={total.currency}>
                {m.total({ currency: total.currency.toUpperCase() })}: {m.totalDetail({ paid: kit.money(total.paidMinor!, total.currency), returned: kit.money(returnedOf(total), total.currency) })}
              </P>
            ))}
          {anyReturned && <P>{m.netted}</P>}
          {props.totals.length > 1 && <P>{m.perCurrency}</P>}
        </>
      )}
      <P>{m.keep}</P>
      <P>{t.signOff(kit.newsroom)}</P>
    </EmailLayout>
  );
}

YearlyStatementEmail.PreviewProps = previewProps;
