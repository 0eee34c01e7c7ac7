import { accountPayments, type PaymentHistoryLine } from "@/db/queries/account";
import { fill, type Locale, messagesFor } from "@/lib/i18n";
import { formatDate } from "@/lib/i18n/format";
import { formatMoneyExact } from "@/lib/money";
import type { Actor } from "@/lib/supporters/actor";

/**
 * Every payment of the signed-in supporter, newest first: date, gift, amount, what became of it,
 * and its receipt. The query checks the actor itself (db/queries/account.ts): anyone else sees none.
 */
export async function GivingOverview({ actor, locale }: { actor: Actor; locale: Locale }) {
  const m = messagesFor(locale);
  const g = m.accountData.giving;
  const lines = await accountPayments(actor);
  const money = (minor: number, currency: string) => formatMoneyExact(minor, currency, locale);
  const statusOf = (line: PaymentHistoryLine) =>
    line.status === "partly_refunded" ? fill(g.status.partly_refunded, { amount: money(line.refundedMinor, line.currency) }) : g.status[line.status];

  return (
    <section aria-labelledby="giving-heading" data-testid="giving-overview">
      <h2 id="giving-heading">{g.heading}</h2>
      {lines.length === 0 ? (
        <p>{g.none}</p>
      ) : (
        <>
          <table className="mailbox-list">
            <caption className="visually-hidden">{g.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{g.columns.date}</th>
                <th scope="col">{g.columns.gift}</th>
                <th scope="col">{g.columns.amount}</th>
                <th scope="col">{g.columns.status}</th>
                <th scope="col">{g.columns.receipt}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => {
                const date = formatDate(line.paidAt, locale);
                const amount = money(line.amountMinor, line.currency);

                return (
                  <tr key={line.paymentId} data-payment={line.paymentId}>
                    <td>{date}</td>
                    <td>{m.thanks.frequencyName[line.frequency]}</td>
                    <td>{amount}</td>
                    <td>{statusOf(line)}</td>
                    <td>
                      <a href={`/account/receipt?payment=${line.paymentId}&lang=${locale}`} aria-label={fill(g.receiptFor, { amount, date })} download>
                        {g.receipt}
                      </a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p>{g.recurringNote}</p>
        </>
      )}
    </section>
  );
}
