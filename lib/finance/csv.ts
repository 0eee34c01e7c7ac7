/**
 * CSV as RFC 4180 writes it (comma-separated, CRLF line ends, a field quoted when it holds a quote,
 * a comma or a line break, quotes doubled), for files finance staff open in a spreadsheet.
 */

/** A number we formatted ourselves ("25.00", "-0.5", an exchange rate): written as it is. */
export type Numeric = { readonly numeric: string };

/**
 * A cell: numbers and Numerics are written as they are; text is defused (below); null is empty.
 * Only our own numbers may start with a minus sign: a refund's net of -2437 stays a number.
 */
export type Cell = string | number | Numeric | null;

export const numeric = (text: string): Numeric => ({ numeric: text });

// A spreadsheet reads a cell starting with one of these as a formula (or, for tab and carriage
// return, strips them and then may): "=HYPERLINK(...)" in a campaign name would run on opening.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text as a spreadsheet will show it and never evaluate it: a leading apostrophe before anything a
 * spreadsheet would take for a formula (OWASP's advice for CSV injection). Applied to all text,
 * not only the free text, since no text we write may legitimately start that way.
 */
export function defuseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function field(cell: Cell): string {
  if (cell === null) return "";
  const text = typeof cell === "number" ? String(cell) : typeof cell === "string" ? defuseFormula(cell) : cell.numeric;

  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record with its CRLF. */
export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(field).join(",")}\r\n`;
}
