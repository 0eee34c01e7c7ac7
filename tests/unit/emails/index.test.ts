import { describe, expect, it } from "vitest";
import { EMAIL_TEMPLATES, type EmailProps, type EmailTemplate, previewProps, renderEmail, resolveLocale } from "@/emails";
import { en, type Messages } from "@/emails/messages/en";
import { ru } from "@/emails/messages/ru";
import { formatMoneyExact } from "@/lib/money";

const NEWSROOM = "The Exile Times";
const LOCALES = ["en", "ru"] as const;
const DICTIONARIES: Record<(typeof LOCALES)[number], Messages> = { en, ru };

const context = (locale: string) => ({ locale, newsroomName: NEWSROOM, appUrl: "https://give.example" });
const render = <T extends EmailTemplate>(template: T, props: EmailProps<T>, locale = "en") => renderEmail(template, props, context(locale));

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
const langOf = (html: string) => /<html[^>]*\slang="([^"]+)"/.exec(html)?.[1];

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

describe("locales", () => {
  it("falls back to English for a locale we have no dictionary for", async () => {
    const props = previewProps("receipt_one_time");
    const english = await render("receipt_one_time", props, "en");
    for (const locale of ["de", "uk", "", "x-klingon", "not a locale"]) {
      const email = await render("receipt_one_time", props, locale);
      expect(email.subject).toBe(english.subject);
      expect(email.text).toBe(english.text);
      expect(langOf(email.html)).toBe("en");
    }
  });

  it("reads regional and upper-case tags as their language", async () => {
    expect(resolveLocale("ru-RU")).toBe("ru");
    expect(resolveLocale("RU")).toBe("ru");
    expect(resolveLocale("en-US")).toBe("en");
    expect(resolveLocale(null)).toBe("en");
    const email = await render("receipt_one_time", previewProps("receipt_one_time"), "ru-RU");
    expect(langOf(email.html)).toBe("ru");
    expect(email.subject).toMatch(/^Ваша квитанция: 25,00\s€ — The Exile Times$/);
  });

  it("writes amounts and dates the locale's way, in UTC", async () => {
    const props = { ...previewProps("receipt_one_time"), paidAt: "2026-12-31T23:30:00.000-02:00" };
    const english = await render("receipt_one_time", props, "en");
    const russian = await render("receipt_one_time", props, "ru");
    expect(english.text).toContain("€25.00");
    expect(english.text).toContain("1 January 2027");
    expect(russian.text).toMatch(/25,00\s€/);
    expect(russian.text).toContain("1 января 2027");
    // No doubled full stop where a Russian sentence ends in a date.
    const failed = await render("payment_failed", previewProps("payment_failed"), "ru");
    expect(failed.text).toContain("Мы попробуем ещё раз 4 апреля 2026. ");
  });

  it("has the same keys in Russian as in English (a missing one does not compile)", () => {
    const { heading: _heading, ...withoutHeading } = ru.receiptOneTime;
    // @ts-expect-error the Russian dictionary must have every English key
    const broken: Messages = { ...ru, receiptOneTime: withoutHeading };
    expect(broken).toBeDefined();

    const keys = (value: unknown): string[] =>
      value && typeof value === "object" ? Object.entries(value).flatMap(([key, inner]) => [key, ...keys(inner).map((k) => `${key}.${k}`)]) : [];
    expect(keys(ru).sort()).toEqual(keys(en).sort());
  });
});

describe("receipts", () => {
  it("tells a first recurring payment from a renewal, in subject and wording", async () => {
    const first = previewProps("receipt_recurring");
    const renewal = { ...first, first: false };
    for (const locale of LOCALES) {
      const [a, b] = await Promise.all([render("receipt_recurring", first, locale), render("receipt_recurring", renewal, locale)]);
      expect(a.subject).not.toBe(b.subject);
    }
    const started = await render("receipt_recurring", first);
    expect(started.subject).toBe("Your monthly gift has started: €10.00 to The Exile Times");
    expect(started.text).toContain("Period covered");
    expect(started.text).toMatch(/Period covered\s+1 March\s–\s1 April 2026/);
    expect(started.text).toMatch(/Next payment\s+1 April 2026/);
    const renewed = await render("receipt_recurring", renewal);
    expect(renewed.text).toContain("Thank you for your continued support");
    const annual = await render("receipt_recurring", { ...renewal, frequency: "annual", nextPaymentAt: null, periodStart: null, periodEnd: null });
    expect(annual.text).toContain("annual gift of €10.00");
    expect(annual.text).not.toContain("Next payment");
    expect(annual.text).not.toContain("Period covered");
  });

  it("has the amount, date and reference, and nothing of the card", async () => {
    const email = await render("receipt_one_time", previewProps("receipt_one_time"));
    expect(email.subject).toBe("Your receipt: €25.00 to The Exile Times");
    expect(email.text).toMatch(/Amount\s+€25\.00/);
    expect(email.text).toMatch(/Date\s+14 March 2026/);
    expect(email.text).toMatch(/Receipt reference\s+ch_3QxTqL2eZvKYlo2C0a8fJ1bd/);
    expect(email.text).toContain("keep it for your records");
    expect(email.text).not.toMatch(/card|4242|visa/i);
  });

  it("greets by name when there is one, and escapes it", async () => {
    const props = { ...previewProps("receipt_one_time"), supporterName: '<b>Eve</b> & "Co"' };
    const email = await render("receipt_one_time", props);
    expect(email.html).not.toContain("<b>Eve</b>");
    expect(email.text).toContain('Dear <b>Eve</b> & "Co",');
    expect((await render("receipt_one_time", { ...props, supporterName: null })).text).toContain("Hello,");
  });
});

describe("recurring gifts that fail or end", () => {
  it("says when a failed payment will be tried again, or that it will not", async () => {
    const props = previewProps("payment_failed");
    const retrying = await render("payment_failed", props);
    expect(retrying.text).toContain("We will try again on 4 April 2026.");
    expect(retrying.text).not.toMatch(/your fault|you failed/i);
    const last = await render("payment_failed", { ...props, attemptCount: 4, nextAttemptAt: null });
    expect(last.text).toContain("We will not try again.");
    expect(last.text).toContain("We have tried 4 times so far.");
    const russian = await render("payment_failed", { ...props, attemptCount: 3 }, "ru");
    expect(russian.text).toContain("Мы пробовали уже 3 раза.");
  });

  it("says a gift set to end takes nothing more", async () => {
    const email = await render("recurring_ending", previewProps("recurring_ending"));
    expect(email.subject).toBe("Your monthly gift of €10.00 ends on 1 May 2026");
    expect(email.text).toContain("No further payments will be taken.");
  });

  it("words an ended gift for its reason, each with a way to start again", async () => {
    const props = previewProps("recurring_ended");
    const reasons = ["cancellation_requested", "payment_failed", "payment_disputed", "other"] as const;
    for (const locale of LOCALES) {
      const texts = await Promise.all(reasons.map((reason) => render("recurring_ended", { ...props, reason }, locale).then((e) => e.text)));
      expect(new Set(texts).size).toBe(reasons.length);
      for (const text of texts) expect(text).toContain(props.restartUrl);
    }
    const failed = await render("recurring_ended", { ...props, reason: "payment_failed" });
    expect(failed.text).toContain("because we could not collect its payment");
    expect(failed.text).toContain("Start your gift again");
    const asked = await render("recurring_ended", { ...props, reason: "cancellation_requested" });
    expect(asked.text).toContain("As you asked");
  });
});

describe("reminder and sign-in", () => {
  it("the reminder has the unsubscribe link in its footer, and a one-click cancel", async () => {
    const props = previewProps("reminder");
    for (const locale of LOCALES) {
      const email = await render("reminder", props, locale);
      const { reminder } = DICTIONARIES[locale];
      expect(email.text).toContain(`${reminder.unsubscribe} ${props.unsubscribeUrl}`);
      expect(email.text).toContain(`${reminder.cancel} ${props.cancelUrl}`);
      expect(email.text).toContain(`${reminder.button} ${props.reopenUrl}`);
    }
    // Its subject says nothing about giving: it is the email a reader did not cause by paying.
    expect((await render("reminder", props)).subject).not.toMatch(/gift|donat|€/i);
  });

  it("a reminder without an amount still reads well", async () => {
    const email = await render("reminder", { ...previewProps("reminder"), amountMinor: null, currency: null, frequency: "once" });
    expect(email.text).toContain("You had chosen a one-time gift.");
    const bare = await render("reminder", { ...previewProps("reminder"), amountMinor: null, currency: null, frequency: null });
    expect(bare.text).not.toContain("You had chosen");
  });

  it("the sign-in link says how long it works and to ignore it if it was not you", async () => {
    const props = previewProps("sign_in");
    const email = await render("sign_in", props);
    expect(email.text).toContain("It works for 15 minutes.");
    expect(email.text).toContain("If you did not ask to sign in, you can ignore this email.");
    // The text version has the link exactly, & and all (the HTML one is escaped).
    expect(email.text).toContain("?token=5c1f0e9b7a3d48e2&email=anna%40example.org");
    expect((await render("sign_in", { ...props, expiresInMinutes: 1 })).text).toContain("It works for 1 minute.");
    expect((await render("sign_in", { ...props, expiresInMinutes: 21 }, "ru")).text).toContain("Она действует 21 минуту.");
    expect((await render("sign_in", { ...props, expiresInMinutes: 15 }, "ru")).text).toContain("Она действует 15 минут.");
  });
});

describe("yearly statement", () => {
  it("lists every gift and a total per currency, never summed across currencies", async () => {
    const props: EmailProps<"yearly_statement"> = {
      year: 2026,
      supporterName: null,
      payments: [
        { paidAt: "2026-02-01T10:00:00.000Z", amountMinor: 2500, currency: "eur", frequency: "once" },
        { paidAt: "2026-03-01T10:00:00.000Z", amountMinor: 1000, currency: "usd", frequency: "monthly" },
        { paidAt: "2026-04-01T10:00:00.000Z", amountMinor: 1000, currency: "usd", frequency: "monthly" },
        { paidAt: "2026-05-01T10:00:00.000Z", amountMinor: 700, currency: "gbp", frequency: "annual" },
      ],
      totals: [
        { currency: "eur", amountMinor: 2500 },
        { currency: "gbp", amountMinor: 700 },
        { currency: "usd", amountMinor: 2000 },
      ],
    };
    const email = await render("yearly_statement", props);
    expect(email.subject).toBe("Your statement for 2026");
    expect(email.text).toMatch(/Total in EUR\s+€25\.00/);
    expect(email.text).toMatch(/Total in GBP\s+£7\.00/);
    expect(email.text).toMatch(/Total in USD\s+\$20\.00/);
    // Nothing adds 25 + 7 + 20 in any currency.
    expect(email.text).not.toContain("52.00");
    expect(email.text).toMatch(/1 March 2026\s+Monthly\s+\$10\.00/);
    expect(email.text).toMatch(/1 May 2026\s+Annual\s+£7\.00/);
    expect(email.text).toContain("not added together");

    const russian = await render("yearly_statement", props, "ru");
    expect(russian.subject).toBe("Ваша выписка за 2026 год");
    expect(russian.text).toMatch(/Итого, EUR\s+25,00\s€/);
    expect(russian.text).toMatch(/Итого, USD\s+20,00\s\$/);
  });

  it("says nothing about currencies when there is only one", async () => {
    const props = previewProps("yearly_statement");
    const single = { ...props, payments: props.payments.filter((p) => p.currency === "eur"), totals: props.totals.filter((t) => t.currency === "eur") };
    const email = await render("yearly_statement", single);
    expect(email.text).toMatch(/Total in EUR\s+€45\.00/);
    expect(email.text).not.toContain("not added together");
  });
});

describe("props are checked before anything is rendered", () => {
  it("refuses a link that is not a web address", async () => {
    for (const url of ["javascript:alert(1)", "data:text/html,hi", "//evil.example/x", "not a url"]) {
      await expect(render("payment_failed", { ...previewProps("payment_failed"), updateCardUrl: url })).rejects.toThrow(/invalid props for email payment_failed: updateCardUrl/);
    }
  });

  it("refuses dates that are not ISO timestamps, amounts that are not integers, and upper-case currencies", async () => {
    const props = previewProps("receipt_one_time");
    await expect(render("receipt_one_time", { ...props, paidAt: "yesterday" })).rejects.toThrow(/paidAt/);
    await expect(render("receipt_one_time", { ...props, amountMinor: 25.5 })).rejects.toThrow(/amountMinor/);
    await expect(render("receipt_one_time", { ...props, currency: "EUR" })).rejects.toThrow(/currency/);
    await expect(render("receipt_one_time", null as never)).rejects.toThrow(/invalid props/);
  });

  it("refuses a template it does not have", async () => {
    await expect(render("newsletter" as EmailTemplate, {} as never)).rejects.toThrow(/unknown email template: newsletter/);
  });

  it("gives each caller its own copy of the preview props", () => {
    const a = previewProps("yearly_statement");
    a.payments.length = 0;
    expect(previewProps("yearly_statement").payments.length).toBeGreaterThan(0);
  });
});
