/** CLDR plural forms, as `Intl.PluralRules` names them (English uses one/other; Russian one/few/many/other). */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/** The form of a word for a count in a locale: plural("ru", 3, { one: "минуту", few: "минуты", many: "минут", other: "минуты" }) → "минуты". */
export function plural(locale: string, count: number, forms: PluralForms): string {
  return forms[new Intl.PluralRules(locale).select(count)] ?? forms.other;
}
