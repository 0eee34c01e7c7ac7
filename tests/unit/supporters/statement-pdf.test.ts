import { describe, expect, it } from "vitest";
import type { PaymentHistoryLine } from "@/db/queries/account";
import { buildStatement } from "@/lib/supporters/statement";
import { renderStatementPdf } from "@/lib/supporters/statement-pdf";
import { pdfText } from "../../support/pdf";

const line = (over: Partial<PaymentHistoryLine>): PaymentHistoryLine => ({
  paymentId: crypto.randomUUID(),
  supporterId: null,
  paidAt: new Date("2026-03-01T10:00:00Z"),
  amountMinor: 1000,
  currency: "eur",
  frequency: "once",
  reference: "ch_1",
  feeCoveredMinor: 0,
  refundedMinor: 0,
  disputeLostMinor: 0,
  disputeStatus: null,
  status: "paid",
  netMinor: 1000,
  ...over,
});

describe("statement PDF", () => {
  const statement = buildStatement(2026, [
    line({ amountMinor: 2500 , netMinor: 2500 }),
    line({ paidAt: new Date("2026-04-01T10:00:00Z"), amountMinor: 1000, refundedMinor: 400, netMinor: 600, frequency: "monthly" }),
    line({ paidAt: new Date("2026-05-01T10:00:00Z"), amountMinor: 5000, currency: "usd", disputeLostMinor: 5000, netMinor: 0 }),
    line({ paidAt: new Date("2026-06-01T10:00:00Z"), amountMinor: 700, currency: "usd", netMinor: 700 }),
  ]);

  it("lists each payment and a total per currency, net of refunds and lost disputes", async () => {
    const text = await pdfText(await renderStatementPdf({ statement, supporterName: "Anna Petrova", locale: "en", newsroom: "The Daily", generatedAt: new Date("2027-01-05T00:00:00Z") }));
    expect(text).toContain("Statement of gifts, 2026");
    expect(text).toContain("For Anna Petrova");
    expect(text).toMatch(/EUR €35\.00 €4\.00 €0\.00 €31\.00/);
    expect(text).toMatch(/USD \$57\.00 \$0\.00 \$50\.00 \$7\.00/);
    expect(text).toContain("not added together");
    // Nothing adds euros and dollars.
    expect(text).not.toMatch(/38\.00|92\.00/);
  });

  it("writes Russian in Cyrillic that reads back as written", async () => {
    const text = await pdfText(await renderStatementPdf({ statement, supporterName: "Анна Петрова", locale: "ru", newsroom: "Новая газета", generatedAt: new Date("2027-01-05T00:00:00Z") }));
    expect(text).toContain("Выписка о пожертвованиях за 2026 год");
    expect(text).toContain("Для: Анна Петрова");
    expect(text).toContain("Итоги");
    expect(text).toMatch(/EUR 35,00\s€ 4,00\s€ 0,00\s€ 31,00\s€/);
  });
});
