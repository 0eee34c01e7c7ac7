/** Fills {name} placeholders; an unknown one is left as it is, so a missing value shows. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => values[name] ?? match);
}
