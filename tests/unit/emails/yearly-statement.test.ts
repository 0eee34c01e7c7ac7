import { describe, expect, it } from "vitest";
import { type EmailProps, previewProps } from "@/emails";
import { render } from "../../support/render-email";

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

  it("shows what was given back beside each payment, and totals net of it, per currency", async () => {
    const props: EmailProps<"yearly_statement"> = {
      year: 2026,
      supporterName: "Анна",
      payments: [
        { paidAt: "2026-02-01T10:00:00.000Z", amountMinor: 2500, currency: "eur", frequency: "once", refundedMinor: 1000 },
        { paidAt: "2026-03-01T10:00:00.000Z", amountMinor: 1000, currency: "usd", frequency: "monthly", disputeLostMinor: 1000 },
        { paidAt: "2026-04-01T10:00:00.000Z", amountMinor: 1000, currency: "usd", frequency: "monthly" },
      ],
      totals: [
        { currency: "eur", amountMinor: 1500, paidMinor: 2500, refundedMinor: 1000, disputeLostMinor: 0 },
        { currency: "usd", amountMinor: 1000, paidMinor: 2000, refundedMinor: 0, disputeLostMinor: 1000 },
      ],
    };
    const email = await render("yearly_statement", props);
    expect(email.text).toMatch(/1 February 2026\s+One-time\s+€25\.00\s+−€10\.00/);
    expect(email.text).toMatch(/1 March 2026\s+Monthly\s+\$10\.00\s+−\$10\.00/);
    expect(email.text).toMatch(/Total in EUR\s+€15\.00/);
    expect(email.text).toMatch(/Total in USD\s+\$10\.00/);
    expect(email.text).toContain("€25.00 given, less €10.00 refunded or taken back by your bank");
    expect(email.text).toContain("$20.00 given, less $10.00 refunded or taken back by your bank");
    expect(email.text).toContain("are subtracted from the totals");
    const russian = await render("yearly_statement", props, "ru");
    expect(russian.text).toContain("Возвращено");
    expect(russian.text).toMatch(/Итого, EUR\s+15,00\s€/);
  });
});
