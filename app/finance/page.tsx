import type { Metadata } from "next";
import { getDb } from "@/db";
import { latestActivity, reminderFunnel } from "@/lib/finance/activity";
import { attribution, compareVariants, DIMENSIONS, type Dimension } from "@/lib/finance/attribution";
import { cohortRetention, type CurrencyFigures, monthlyChurn, periodFigures, periodSeries, reportingMode } from "@/lib/finance/figures";
import { payoutsFor } from "@/lib/finance/payouts";
import { monthToDate, type Period, ZCurrency, ZPeriod } from "@/lib/finance/period";
import { formatMoneyExact } from "@/lib/money";
import { staffForPage } from "@/lib/staff/page-access";
import { audit } from "@/lib/staff/staff";
import { FinanceCharts } from "./_components/charts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Finance" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);
const DIMENSION_LABEL: Record<Dimension, string> = { article: "Article", section: "Section", campaign: "Campaign", variant: "Campaign / variant" };

function query(base: { period: Period; currency?: string; by?: Dimension }, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ from: base.period.from, to: base.period.to, ...(base.currency ? { currency: base.currency } : {}), ...(base.by ? { by: base.by } : {}), ...extra });

  return `?${params.toString()}`;
}

/**
 * /finance: what came in, what it cost, what recurs and what is at risk, for a period (UTC days),
 * each currency on its own. Every figure comes from lib/finance, which checks the role itself.
 */
export default async function FinancePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { actor, staff } = await staffForPage("finance", "/finance");
  const db = getDb();
  const asked = ZPeriod.safeParse({ from: one(params.from), to: one(params.to) });
  const periodProblem = one(params.from) || one(params.to) ? (asked.success ? null : asked.error.issues[0]!.message) : null;
  const period = asked.success ? asked.data : monthToDate(new Date());
  const by: Dimension = DIMENSIONS.includes(one(params.by) as Dimension) ? (one(params.by) as Dimension) : "article";

  const figures = await periodFigures(actor, period, db);
  const askedCurrency = ZCurrency.safeParse(one(params.currency));
  const currency = figures.find((f) => askedCurrency.success && f.currency === askedCurrency.data)?.currency ?? figures[0]?.currency ?? "eur";
  const [series, churn, cohorts, ranked, funnel, latest, payouts] = await Promise.all([
    periodSeries(actor, period, currency, db),
    monthlyChurn(actor, period, currency, db),
    cohortRetention(actor, period, currency, db),
    attribution(actor, period, by, db),
    reminderFunnel(actor, period, db),
    latestActivity(actor, period, db),
    payoutsFor(actor, period, db, { lines: "unreconciled" }),
  ]);
  await audit(db, staff, { action: "finance.view", target: "overview", page: "/finance", details: { from: period.from, to: period.to, currency, by } });
  const money = (minor: number, c = currency) => formatMoneyExact(minor, c);
  const current = figures.find((f) => f.currency === currency);
  const variants = by === "variant" ? ranked.filter((r) => r.currency === currency && r.key !== " / ") : [];
  const variantA = variants.find((v) => v.key === one(params.a)) ?? variants[0];
  const variantB = variants.find((v) => v.key === one(params.b)) ?? variants[1];

  return (
    <section aria-labelledby="finance-heading">
      <h1 id="finance-heading">Finance</h1>
      <p className="hint">
        {reportingMode() === "test" ? "Test-mode figures (the stand-in or a Stripe test key). " : ""}Days are UTC days; each currency stands on its own, with Stripe&apos;s settlement beside it
        where it settled in another.
      </p>

      <form className="period-form" method="get" action="/finance" aria-describedby={periodProblem ? "period-problem" : undefined}>
        <label>
          From
          <input type="date" name="from" defaultValue={period.from} required />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={period.to} required />
        </label>
        {figures.length > 1 && (
          <label>
            Currency
            <select name="currency" defaultValue={currency}>
              {figures.map((f) => (
                <option key={f.currency} value={f.currency}>
                  {f.currency.toUpperCase()}
                </option>
              ))}
            </select>
          </label>
        )}
        <input type="hidden" name="by" value={by} />
        <button type="submit">Show</button>
      </form>
      {periodProblem && (
        <p id="period-problem" role="alert" className="flag">
          {periodProblem}; showing {period.from} to {period.to} instead.
        </p>
      )}

      <h2>Money</h2>
      {figures.length === 0 ? (
        <p data-testid="no-payments">No payments, refunds or disputes in this period.</p>
      ) : (
        <MoneyTable figures={figures} />
      )}
      <p>
        Download CSV:{" "}
        {(["payments", "refunds", "disputes", "payouts"] as const).map((kind, index) => (
          <span key={kind}>
            {index > 0 && " · "}
            <a href={`/finance/export/${kind}${query({ period })}`} download>
              {kind}
            </a>
          </span>
        ))}
      </p>

      {current && <Recurring figures={current} money={money} />}

      <h2>Charts ({currency.toUpperCase()})</h2>
      <FinanceCharts currency={currency} bucket={series.bucket} points={series.points} />
      <details>
        <summary>The charts&apos; numbers as a table</summary>
        <div className="scroll" role="region" aria-label="The charts' numbers" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{series.bucket === "day" ? "Day" : series.bucket === "week" ? "Week from" : "Month"}</th>
                <th scope="col" className="num">One-time</th>
                <th scope="col" className="num">Recurring</th>
                <th scope="col" className="num">MRR at end</th>
                <th scope="col" className="num">Started</th>
                <th scope="col" className="num">Ended</th>
              </tr>
            </thead>
            <tbody>
              {series.points.map((p) => (
                <tr key={p.bucket}>
                  <th scope="row">{p.bucket}</th>
                  <td className="num">{money(p.onceGrossMinor)}</td>
                  <td className="num">{money(p.recurringGrossMinor)}</td>
                  <td className="num">{money(p.mrrMinor)}</td>
                  <td className="num">{p.started}</td>
                  <td className="num">{p.ended}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>

      <h2>Churn and retention ({currency.toUpperCase()})</h2>
      <table>
        <caption>Recurring gifts that ended in each month, over those giving at its start</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col" className="num">Giving at start</th>
            <th scope="col" className="num">Ended</th>
            <th scope="col" className="num">Churn</th>
          </tr>
        </thead>
        <tbody>
          {churn.map((m) => (
            <tr key={m.month}>
              <th scope="row">{m.month.slice(0, 7)}</th>
              <td className="num">{m.activeAtStart}</td>
              <td className="num">{m.ended}</td>
              <td className="num">{percent(m.rate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="scroll" role="region" aria-label="Retention by start month" tabIndex={0}>
        <table data-testid="cohorts">
          <caption>Still giving, by the month the recurring gift started (month 0 is the start month)</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col" className="num">Gifts</th>
              {Array.from({ length: 12 }, (_, k) => (
                <th key={k} scope="col" className="num">
                  {k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cohorts.map((c) => (
              <tr key={c.startMonth}>
                <th scope="row">{c.startMonth.slice(0, 7)}</th>
                <td className="num">{c.started}</td>
                {c.retained.map((r, k) => (
                  <td key={k} className="num">
                    {r === null ? "" : percent(r)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>What drove the gifts</h2>
      <ul className="tabs">
        {DIMENSIONS.map((d) => (
          <li key={d}>
            <a href={query({ period, currency, by: d })} aria-current={d === by ? "page" : undefined}>
              By {DIMENSION_LABEL[d].toLowerCase()}
            </a>
          </li>
        ))}
      </ul>
      <div className="scroll" role="region" aria-label="What drove the gifts" tabIndex={0}>
        <table data-testid="attribution">
          <caption>
            By {DIMENSION_LABEL[by].toLowerCase()}: revenue, gifts (one-time and recurring started), retention a year on, refunds and disputes per payment
          </caption>
          <thead>
            <tr>
              <th scope="col">{DIMENSION_LABEL[by]}</th>
              <th scope="col" className="num">Revenue</th>
              <th scope="col" className="num">Gifts</th>
              <th scope="col" className="num">Recurring started</th>
              <th scope="col" className="num">Still giving after 12 months</th>
              <th scope="col" className="num">Refund rate</th>
              <th scope="col" className="num">Dispute rate</th>
            </tr>
          </thead>
          <tbody>
            {ranked.map((r) => (
              <tr key={`${r.key}|${r.currency}`}>
                <th scope="row">{r.key.trim() === "" || r.key === " / " ? "(none)" : r.key}</th>
                <td className="num">{money(r.grossMinor, r.currency)}</td>
                <td className="num">{r.gifts}</td>
                <td className="num">{r.recurringStarted}</td>
                <td className="num">{percent(r.retention12m)}</td>
                <td className="num">{percent(r.refundRate)}</td>
                <td className="num">{percent(r.disputeRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {by === "variant" && variantA && variantB && (
        <>
          <h3>
            {variantB.key} against {variantA.key}
          </h3>
          <form method="get" action="/finance" className="period-form">
            <input type="hidden" name="from" value={period.from} />
            <input type="hidden" name="to" value={period.to} />
            <input type="hidden" name="currency" value={currency} />
            <input type="hidden" name="by" value="variant" />
            <label>
              A
              <select name="a" defaultValue={variantA.key}>
                {variants.map((v) => (
                  <option key={v.key}>{v.key}</option>
                ))}
              </select>
            </label>
            <label>
              B
              <select name="b" defaultValue={variantB.key}>
                {variants.map((v) => (
                  <option key={v.key}>{v.key}</option>
                ))}
              </select>
            </label>
            <button type="submit">Compare</button>
          </form>
          <table data-testid="variant-comparison">
            <caption>B minus A, with a 95% margin: a difference smaller than its margin may be chance</caption>
            <thead>
              <tr>
                <th scope="col">Rate</th>
                <th scope="col" className="num">A</th>
                <th scope="col" className="num">B</th>
                <th scope="col" className="num">B − A</th>
              </tr>
            </thead>
            <tbody>
              {compareVariants(variantA, variantB).map((row) => (
                <tr key={row.label}>
                  <th scope="row">{row.label}</th>
                  <td className="num">
                    {row.a.hits} of {row.a.of}
                  </td>
                  <td className="num">
                    {row.b.hits} of {row.b.of}
                  </td>
                  <td className="num">
                    {row.difference === null ? "—" : `${(row.difference * 100).toFixed(1)} ± ${((row.margin95 ?? 0) * 100).toFixed(1)} points`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h2>Remind me later</h2>
      <table data-testid="reminder-funnel">
        <caption>Reminders set in the period, by campaign</caption>
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col" className="num">Set</th>
            <th scope="col" className="num">With an email</th>
            <th scope="col" className="num">Sent</th>
            <th scope="col" className="num">Gave before it was due</th>
            <th scope="col" className="num">Gave after the reminder</th>
          </tr>
        </thead>
        <tbody>
          {funnel.map((f) => (
            <tr key={f.campaign}>
              <th scope="row">{f.campaign || "(default)"}</th>
              <td className="num">{f.set}</td>
              <td className="num">{f.withEmail}</td>
              <td className="num">{f.sent}</td>
              <td className="num">{f.gaveBeforeDue}</td>
              <td className="num">{f.gaveAfterReminder}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Payouts</h2>
      <p className="hint">Stripe&apos;s payouts arriving in the period, each checked line by line against the ledger: what it carried must add up to what reached the bank.</p>
      <div className="scroll" role="region" aria-label="Payouts" tabIndex={0}>
        <table data-testid="payouts">
          <caption>Payouts by arrival date</caption>
          <thead>
            <tr>
              <th scope="col">Arrives</th>
              <th scope="col" className="num">Amount</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">Lines</th>
              <th scope="col">Reconciles</th>
              <th scope="col">In Stripe</th>
            </tr>
          </thead>
          <tbody>
            {payouts.length === 0 && (
              <tr>
                <td colSpan={6}>No payouts arrive in this period.</td>
              </tr>
            )}
            {payouts.map((p) => (
              <tr key={p.stripePayoutId} data-testid="payout">
                <td>{p.arrivalDate}</td>
                <td className="num">{money(p.amountMinor, p.currency)}</td>
                <td>{p.status}</td>
                <td className="num">{p.lineCount}</td>
                <td>
                  {p.reconciles ? (
                    "Yes, to the cent"
                  ) : (
                    <span className="flag">
                      No: {money(p.differenceMinor, p.currency)} unaccounted
                      <ul>
                        {p.causes.map((c, index) => (
                          <li key={index}>{c.message}</li>
                        ))}
                      </ul>
                    </span>
                  )}
                </td>
                <td>
                  <a href={p.stripeUrl} rel="noreferrer noopener" target="_blank">
                    Open<span className="visually-hidden"> payout {p.stripePayoutId} in Stripe&apos;s Dashboard (new tab)</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Latest</h2>
      {(
        [
          ["Payments", latest.payments],
          ["Refunds", latest.refunds],
          ["Disputes", latest.disputes],
        ] as const
      ).map(([title, items]) => (
        <table key={title} data-testid={`latest-${title.toLowerCase()}`}>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col" className="num">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Detail</th>
              <th scope="col">In Stripe</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && (
              <tr>
                <td colSpan={5}>None in this period.</td>
              </tr>
            )}
            {items.map((item) => (
              <tr key={item.stripeUrl + item.at.toISOString()}>
                <td>{item.at.toISOString().slice(0, 16).replace("T", " ")}</td>
                <td className="num">{money(item.amountMinor, item.currency)}</td>
                <td>{item.status}</td>
                <td>{item.detail ?? ""}</td>
                <td>
                  <a href={item.stripeUrl} rel="noreferrer noopener" target="_blank">
                    Open<span className="visually-hidden"> {title.toLowerCase().slice(0, -1)} in Stripe&apos;s Dashboard (new tab)</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}

function MoneyTable({ figures }: { figures: CurrencyFigures[] }) {
  return (
    <div className="scroll" role="region" aria-label="Money by currency" tabIndex={0}>
      <table data-testid="money">
        <caption>Gross in the currency the supporter paid; fees and nets in the currency Stripe settled them in</caption>
        <thead>
          <tr>
            <th scope="col">Currency</th>
            <th scope="col" className="num">Gross</th>
            <th scope="col" className="num">One-time</th>
            <th scope="col" className="num">Recurring</th>
            <th scope="col" className="num">Payments</th>
            <th scope="col" className="num">New gifts</th>
            <th scope="col" className="num">Supporters</th>
            <th scope="col" className="num">Refunded</th>
            <th scope="col" className="num">Disputed (open / won / lost)</th>
            <th scope="col">Settled as</th>
            <th scope="col" className="num">Fees</th>
            <th scope="col" className="num">Net</th>
          </tr>
        </thead>
        <tbody>
          {figures.map((f) => {
            const settlements = f.settlements.length > 0 ? f.settlements : [null];

            return settlements.map((s, index) => (
              <tr key={`${f.currency}-${s?.settlementCurrency ?? "none"}`} data-testid={`money-${f.currency}`}>
                {index === 0 && (
                  <>
                    <th scope="row" rowSpan={settlements.length}>
                      {f.currency.toUpperCase()}
                    </th>
                    <td className="num" rowSpan={settlements.length}>
                      {formatMoneyExact(f.grossMinor, f.currency)}
                    </td>
                    <td className="num" rowSpan={settlements.length}>
                      {formatMoneyExact(f.onceGrossMinor, f.currency)}
                    </td>
                    <td className="num" rowSpan={settlements.length}>
                      {formatMoneyExact(f.recurringGrossMinor, f.currency)}
                    </td>
                    <td className="num" rowSpan={settlements.length}>
                      {f.payments}
                    </td>
                    <td className="num" rowSpan={settlements.length}>
                      {f.newGifts}
                    </td>
                    <td className="num" rowSpan={settlements.length}>
                      {f.supporters}
                    </td>
                    <td className="num" rowSpan={settlements.length}>
                      {formatMoneyExact(f.refundedMinor, f.currency)} ({f.refunds})
                    </td>
                    <td className="num" rowSpan={settlements.length}>
                      {formatMoneyExact(f.disputedMinor, f.currency)} ({f.disputesOpen} / {f.disputesWon} / {f.disputesLost})
                    </td>
                  </>
                )}
                {s ? (
                  <>
                    <td>
                      {s.settlementCurrency.toUpperCase()}
                      {s.settlementCurrency !== f.currency ? " (converted by Stripe)" : ""}
                    </td>
                    <td className="num">{formatMoneyExact(s.feeMinor + s.refundFeeMinor + s.disputeFeeMinor, s.settlementCurrency)}</td>
                    <td className="num" data-testid={`net-${f.currency}-${s.settlementCurrency}`}>
                      {formatMoneyExact(s.balanceNetMinor, s.settlementCurrency)}
                    </td>
                  </>
                ) : (
                  <td colSpan={3}>Not settled yet</td>
                )}
              </tr>
            ));
          })}
        </tbody>
      </table>
      {figures.some((f) => f.unsettledPayments > 0) && (
        <p className="hint">
          {figures.reduce((sum, f) => sum + f.unsettledPayments, 0)} payment(s) wait for Stripe to report their fee; their settlement is not in the nets yet.
        </p>
      )}
    </div>
  );
}

function Recurring({ figures, money }: { figures: CurrencyFigures; money: (minor: number) => string }) {
  const r = figures.recurring;

  return (
    <>
      <h2>Recurring ({figures.currency.toUpperCase()})</h2>
      <dl className="figures" data-testid="recurring">
        <div>
          <dt>MRR at the period&apos;s end</dt>
          <dd data-testid="mrr">{money(r.mrrMinor)}</dd>
        </div>
        <div>
          <dt>ARR</dt>
          <dd>{money(r.arrMinor)}</dd>
        </div>
        <div>
          <dt>Giving now</dt>
          <dd>{r.active}</dd>
        </div>
        <div>
          <dt>Ending at their period&apos;s end</dt>
          <dd>{r.cancelling}</dd>
        </div>
        <div>
          <dt>Paused now</dt>
          <dd>{r.paused}</dd>
        </div>
        <div>
          <dt>At risk (past due)</dt>
          <dd>
            {r.pastDue} · {money(r.pastDueMrrMinor)}/mo
          </dd>
        </div>
        <div>
          <dt>Started in the period</dt>
          <dd>{r.started}</dd>
        </div>
        <div>
          <dt>Cancelled by the supporter</dt>
          <dd>{r.endedBySupporter}</dd>
        </div>
        <div>
          <dt>Ended by failed payments</dt>
          <dd>{r.endedByFailedPayments}</dd>
        </div>
        <div>
          <dt>Failed payments recovered</dt>
          <dd>
            {figures.recovered.payments} · {money(figures.recovered.amountMinor)}
          </dd>
        </div>
      </dl>
      <p className="hint">
        An annual gift counts a twelfth of its amount a month. A gift counts in MRR from its start to its end at its current amount; one paused now is left out of it.
      </p>
    </>
  );
}
