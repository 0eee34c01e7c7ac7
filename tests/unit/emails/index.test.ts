import { describe, expect, it } from "vitest";
import { EMAIL_TEMPLATES, type EmailProps, type EmailTemplate, previewProps } from "@/emails";
import { formatMoneyExact } from "@/lib/money";
import { DICTIONARIES, LOCALES, langOf, NEWSROOM, render } from "../../support/render-email";

/** Every link a template is given: the props named …Url. */
function linkProps(props: object): string[] {
  return Object.entries(props)
    .filter(([key, value]) => key.endsWith("Url") && typeof value === "string")
    .map(([, value]) => value as string);
}

/** Every amount a template is given, formatted as the email must show it. */
function amounts(props: Record<string, unknown>, locale: string): string[] {
  const money = (amountMinor: unknown, currency: unknown) =>
    typeof amountMinor === "number" && typeof currency === "string" ? [formatMoneyExact(amountMinor, currency, locale)] : [];
  const nested = [...((props.payments as object[] | undefined) ?? []), ...((props.totals as object[] | undefined) ?? [])] as Array<Record<string, unknown>>;

  return [...money(props.amountMinor, props.currency), ...nested.flatMap((row) => money(row.amountMinor, row.currency))];
}

const decode = (attribute: string) => attribute.replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#x27;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
const hrefs = (html: string) => [...html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)].map((match) => decode(match[1]!));

describe("every email, in English and Russian, with its preview props", () => {
  it("has exactly the templates the outbox knows", () => {
    expect([...EMAIL_TEMPLATES].sort()).toEqual(
      ["payment_failed", "receipt_one_time", "receipt_recurring", "recurring_ended", "recurring_ending", "reminder", "sign_in", "yearly_statement"].sort(),
    );
  });

  for (const template of EMAIL_TEMPLATES) {
    for (const locale of LOCALES) {
      it(`${template} (${locale}): subject, HTML with lang, text with every amount and link`, async () => {
        const props = previewProps(template);
        const email = await render(template, props, locale);

        expect(email.subject.length).toBeGreaterThan(0);
        expect(email.subject).not.toMatch(/[\r\n]/);
        expect(langOf(email.html)).toBe(locale);
        expect(email.html).toContain(`<title>${email.subject.replaceAll("&", "&amp;")}</title>`);
        for (const amount of amounts(props, locale)) expect(email.text).toContain(amount);
        for (const url of linkProps(props)) expect(email.text).toContain(url);
        // The footer says who sent it.
        expect(email.text).toContain(DICTIONARIES[locale].layout.sentBy(NEWSROOM));
      });

      it(`${template} (${locale}): loads nothing, and links only to the addresses it was given`, async () => {
        const props = previewProps(template);
        const { html } = await render(template, props, locale);

        expect(html).not.toMatch(/<img\b/i);
        expect(html).not.toMatch(/<link\b/i);
        expect(html).not.toMatch(/<script\b/i);
        expect(html).not.toMatch(/<(iframe|object|embed|video|audio|source)\b/i);
        expect(html).not.toMatch(/\burl\(/i);
        expect(html).not.toMatch(/@import/i);
        expect(html).not.toMatch(/\s(src|srcset|background|poster)=/i);
        // Once the links are taken out (with their text, which may show the address to copy), no
        // address is left (the doctype names its DTD, which nothing loads).
        const rest = html.replace(/^<!DOCTYPE[^>]*>/, "").replace(/<a\s[^>]*>[\s\S]*?<\/a>/g, "");
        expect(rest).not.toMatch(/https?:\/\//i);
        expect(rest).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}/i);

        const given = linkProps(props);
        expect(new Set(hrefs(html))).toEqual(new Set(given));
      });
    }

    it(`${template}: the Russian subject differs from the English one`, async () => {
      const props = previewProps(template);
      const [english, russian] = await Promise.all([render(template, props, "en"), render(template, props, "ru")]);
      expect(russian.subject).not.toBe(english.subject);
      expect(russian.text).not.toBe(english.text);
    });

    it(`${template}: says why it was sent`, async () => {
      const props = previewProps(template);
      expect((await render(template, props, "en")).text).toContain("You are receiving this email because");
      expect((await render(template, props, "ru")).text).toContain("Вы получили это письмо, потому что");
    });

    it(`${template}: keeps the supporter's name out of the subject`, async () => {
      const props = { ...previewProps(template), supporterName: "Anna Petrova" } as EmailProps<typeof template>;
      for (const locale of LOCALES) expect((await render(template, props, locale)).subject).not.toContain("Anna");
    });
  }
});

describe("renderEmail", () => {
  it("refuses a template it does not have", async () => {
    await expect(render("newsletter" as EmailTemplate, {} as never)).rejects.toThrow(/unknown email template: newsletter/);
  });
});

describe("previewProps", () => {
  it("gives each caller its own copy of the preview props", () => {
    const a = previewProps("yearly_statement");
    a.payments.length = 0;
    expect(previewProps("yearly_statement").payments.length).toBeGreaterThan(0);
  });
});
