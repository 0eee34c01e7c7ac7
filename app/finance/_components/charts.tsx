"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney } from "@/lib/money";
import type { SeriesPoint } from "@/lib/finance/figures";

type Props = { currency: string; bucket: "day" | "week" | "month"; points: SeriesPoint[] };

const INK = "#16181d";
const ACCENT = "#8a1c1c";
const SECOND = "#1d4ed8";

/**
 * The overview's three charts, drawn in the browser from figures the page already has (bundled
 * with the app: nothing is fetched). Each is one labelled image for screen readers (recharts' own
 * keyboard layer is off: the page gives the same numbers as a table beside them, which reads better).
 */
export function FinanceCharts({ currency, bucket, points }: Props) {
  const money = (minor: number) => formatMoney(minor, currency);
  const per = bucket === "day" ? "day" : bucket === "week" ? "week" : "month";

  return (
    <div className="finance-charts">
      <figure>
        <figcaption id="chart-revenue">Revenue per {per}, one-time and recurring ({currency.toUpperCase()})</figcaption>
        <div role="img" aria-labelledby="chart-revenue" data-testid="chart-revenue">
          <ResponsiveContainer width="100%" height={240}>
            <BarChart data={points} margin={{ left: 8, right: 8 }} accessibilityLayer={false}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="bucket" stroke={INK} fontSize={12} />
              <YAxis stroke={INK} fontSize={12} tickFormatter={money} width={80} />
              <Tooltip formatter={(value) => money(Number(value))} />
              <Legend />
              <Bar dataKey="onceGrossMinor" name="One-time" stackId="gross" fill={SECOND} isAnimationActive={false} />
              <Bar dataKey="recurringGrossMinor" name="Recurring" stackId="gross" fill={ACCENT} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <figure>
        <figcaption id="chart-mrr">Monthly recurring revenue at the end of each {per} ({currency.toUpperCase()})</figcaption>
        <div role="img" aria-labelledby="chart-mrr" data-testid="chart-mrr">
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={points} margin={{ left: 8, right: 8 }} accessibilityLayer={false}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="bucket" stroke={INK} fontSize={12} />
              <YAxis stroke={INK} fontSize={12} tickFormatter={money} width={80} />
              <Tooltip formatter={(value) => money(Number(value))} />
              <Line dataKey="mrrMinor" name="MRR" stroke={ACCENT} strokeWidth={2} dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <figure>
        <figcaption id="chart-recurring">Recurring gifts started and ended per {per}</figcaption>
        <div role="img" aria-labelledby="chart-recurring" data-testid="chart-recurring">
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={points} margin={{ left: 8, right: 8 }} accessibilityLayer={false}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="bucket" stroke={INK} fontSize={12} />
              <YAxis stroke={INK} fontSize={12} allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar dataKey="started" name="Started" fill={SECOND} isAnimationActive={false} />
              <Bar dataKey="ended" name="Ended" fill={ACCENT} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </figure>
    </div>
  );
}
