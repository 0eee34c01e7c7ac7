/**
 * HTML built from a tagged template whose every interpolation is escaped, unless it is itself
 * html (or a list of html): for the few whole documents a route sends without React (a route
 * handler runs where react-dom/server is not allowed), with no way to forget an escape.
 */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** Text made safe to put in HTML, between tags or in a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Interpolation = SafeHtml | string | number | null | undefined | false | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");

  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, text, i) => out + text + (i < values.length ? render(values[i]!) : ""), ""));
}

/** Markup we wrote ourselves (a stylesheet), trusted as it is. */
export const trusted = (markup: string): SafeHtml => new SafeHtml(markup);
