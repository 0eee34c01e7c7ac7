import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Document, Font, Page, renderToBuffer, StyleSheet, Text, View } from "@react-pdf/renderer";
import { createElement as h, type ReactElement } from "react";
import { fill, type Locale, messagesFor } from "@/lib/i18n";
import { formatDate } from "@/lib/i18n/format";
import { formatMoneyExact } from "@/lib/money";
import type { Statement } from "./statement";

/**
 * The yearly statement as a PDF: the same lines and totals as the yearly email (both come from
 * lib/supporters/statement.ts). Set in DejaVu Sans, bundled from node_modules, because the PDF
 * standard fonts have no Cyrillic. Written without JSX so this stays a plain module of lib/.
 */

const FONT = "DejaVuSans";
let fontsRegistered = false;

/**
 * Where a DejaVu file is on disk. The server runs from the project root (`next start`, `npm start`,
 * tests), where node_modules is; a bundler may rewrite module resolution, so that is tried second.
 */
export function dejavuPath(file: string): string {
  const fromRoot = path.join(process.cwd(), "node_modules", "dejavu-fonts-ttf", "ttf", file);
  if (existsSync(fromRoot)) return fromRoot;
  try {
    const resolved = createRequire(path.join(process.cwd(), "package.json")).resolve(`dejavu-fonts-ttf/ttf/${file}`);
    if (existsSync(resolved)) return resolved;
  } catch {
    // Reported below with the path we looked at.
  }
  throw new Error(`font not found: ${fromRoot} (is dejavu-fonts-ttf installed?)`);
}

function registerFonts(): void {
  if (fontsRegistered) return;
  Font.register({
    family: FONT,
    fonts: [
      { src: dejavuPath("DejaVuSans.ttf"), fontWeight: "normal" },
      { src: dejavuPath("DejaVuSans-Bold.ttf"), fontWeight: "bold" },
    ],
  });
  // Words are not split with hyphens: names and amounts must read as written.
  Font.registerHyphenationCallback((word) => [word]);
  fontsRegistered = true;
}

const styles = StyleSheet.create({
  page: { fontFamily: FONT, fontSize: 10, padding: 40, color: "#16181d" },
  title: { fontSize: 16, fontWeight: "bold", marginBottom: 6 },
  line: { marginBottom: 3 },
  heading: { fontSize: 12, fontWeight: "bold", marginTop: 14, marginBottom: 6 },
  row: { flexDirection: "row", borderBottomWidth: 0.5, borderBottomColor: "#c8cbd2", paddingVertical: 3 },
  head: { fontWeight: "bold" },
  cell: { flex: 1 },
  wide: { flex: 1.4 },
  money: { flex: 1, textAlign: "right" },
  note: { marginTop: 10, color: "#4a4f5a" },
});

export type StatementPdfInput = {
  statement: Statement;
  supporterName: string | null;
  locale: Locale;
  newsroom: string;
  /** When the figures were read: a refund recorded later changes the next one. */
  generatedAt: Date;
};

export function statementDocument({ statement, supporterName, locale, newsroom, generatedAt }: StatementPdfInput): ReactElement {
  const m = messagesFor(locale).accountData.statement;
  const frequencyName = messagesFor(locale).thanks.frequencyName;
  const money = (minor: number, currency: string) => formatMoneyExact(minor, currency, locale);
  const dash = "—";
  const row = (key: string, cells: Array<[string, keyof typeof styles]>, header = false) =>
    h(
      View,
      { key, style: header ? [styles.row, styles.head] : styles.row, wrap: false },
      ...cells.map(([text, style], i) => h(Text, { key: String(i), style: styles[style] }, text)),
    );

  return h(
    Document,
    { title: fill(m.title, { year: String(statement.year) }), author: newsroom, language: locale },
    h(
      Page,
      { size: "A4", style: styles.page },
      h(Text, { style: styles.title }, fill(m.title, { year: String(statement.year) })),
      h(Text, { style: styles.line }, fill(m.newsroomLine, { newsroom })),
      supporterName ? h(Text, { style: styles.line }, fill(m.forName, { name: supporterName })) : null,
      h(Text, { style: styles.line }, fill(m.asOf, { date: formatDate(generatedAt, locale) })),
      statement.lines.length === 0
        ? h(Text, { style: styles.note }, m.none2)
        : h(
            View,
            { style: { marginTop: 12 } },
            row(
              "head",
              [
                [m.columns.date, "wide"],
                [m.columns.gift, "cell"],
                [m.columns.amount, "money"],
                [m.columns.refunded, "money"],
                [m.columns.disputed, "money"],
                [m.columns.net, "money"],
              ],
              true,
            ),
            ...statement.lines.map((line) =>
              row(line.paymentId, [
                [formatDate(line.paidAt, locale), "wide"],
                [frequencyName[line.frequency], "cell"],
                [money(line.amountMinor, line.currency), "money"],
                [line.refundedMinor > 0 ? money(line.refundedMinor, line.currency) : dash, "money"],
                [line.disputeLostMinor > 0 ? money(line.disputeLostMinor, line.currency) : dash, "money"],
                [money(line.netMinor, line.currency), "money"],
              ]),
            ),
          ),
      statement.totals.length > 0 ? h(Text, { style: styles.heading }, m.totalsHeading) : null,
      statement.totals.length > 0
        ? h(
            View,
            null,
            row(
              "totals-head",
              [
                [m.totalsColumns.currency, "cell"],
                [m.totalsColumns.paid, "money"],
                [m.totalsColumns.refunded, "money"],
                [m.totalsColumns.disputed, "money"],
                [m.totalsColumns.net, "money"],
              ],
              true,
            ),
            ...statement.totals.map((total) =>
              row(`total-${total.currency}`, [
                [total.currency.toUpperCase(), "cell"],
                [money(total.paidMinor, total.currency), "money"],
                [money(total.refundedMinor, total.currency), "money"],
                [money(total.disputeLostMinor, total.currency), "money"],
                [money(total.netMinor, total.currency), "money"],
              ]),
            ),
          )
        : null,
      statement.totals.length > 1 ? h(Text, { style: styles.note }, m.perCurrency) : null,
    ),
  );
}

/** The statement's PDF bytes. */
export async function renderStatementPdf(input: StatementPdfInput): Promise<Buffer> {
  registerFonts();

  return renderToBuffer(statementDocument(input) as Parameters<typeof renderToBuffer>[0]);
}
