import type { ReceiptLine } from "@/db/queries/receipts";
import { html, type SafeHtml, trusted } from "@/lib/html";
import { fill, type Locale, messagesFor } from "@/lib/i18n";
import { formatDate } from "@/lib/i18n/format";
import { formatMoneyExact } from "@/lib/money";

const STYLE = trusted("body{font:1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#16181d}th{text-align:left;padding:.3rem 1rem .3rem 0}td{padding:.3rem 0}");

/**
 * A receipt to save, as a whole HTML document: no script, nothing from anywhere, and no name. The
 * thank-you page's is for a discreet giver we never email, and says that it names no one (with a
 * recurring gift's private manage link, their only way back to it); the account's
 * (`discreet: false`) is a signed-in supporter's, where that sentence would be untrue.
 */
export function receiptDocument({
  line,
  locale,
  newsroom,
  discreet = true,
  manageUrl = null,
}: {
  line: ReceiptLine;
  locale: Locale;
  newsroom: string;
  discreet?: boolean;
  manageUrl?: string | null;
}): SafeHtml {
  const m = messagesFor(locale).thanks;
  const mm = messagesFor(locale).manage;
  const money = (minor: number) => formatMoneyExact(minor, line.currency, locale);
  const rows: Array<[string, string]> = [
    [m.receiptDate, formatDate(line.date, locale)],
    [m.receiptAmount, money(line.amountMinor) + (line.feeCoveredMinor > 0 ? ` (${m.receiptFeeCovered}: ${money(line.feeCoveredMinor)})` : "")],
    [m.receiptFrequency, m.frequencyName[line.frequency]],
    [m.receiptReference, line.reference],
  ];

  return html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${m.receiptTitle}</title>
<style>${STYLE}</style></head>
<body><h1>${m.receiptTitle}</h1>
<p>${fill(m.receiptIntro, { newsroom })}</p>
<table>${rows.map(([label, value]) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`)}</table>
${discreet ? html`<p>${m.receiptNoPersonal}</p>` : ""}${
    // A recurring gift's private link: for a giver we cannot email, the only way back to the gift.
    manageUrl
      ? html`
<h2>${mm.privateLinkTitle}</h2>
<p>${mm.privateLink}</p>
<p><a href="${manageUrl}">${manageUrl}</a></p>`
      : ""
  }</body></html>
`;
}
