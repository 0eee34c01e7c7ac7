import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { outboundEmails, payments, supporters } from "@/db/schema";
import { queueYearlyStatements } from "@/lib/scheduled/yearly-statements";
import { nobody } from "@/lib/supporters/actor";
import { statementResponse } from "@/app/account/statement/respond";
import { signedIn } from "../../../../support/actors";
import { useTestDatabase } from "../../../../support/database";
import { giveOnceAndSettle } from "../../../../support/email-suite";
import { drainUntilSettled } from "../../../../support/ledger";
import { pdfText } from "../../../../support/pdf";
import { deliver, eventsAfter, lastEventId, sandboxStripe } from "../../../../support/stripe";

const database = useTestDatabase();
const request = (query: string) => new Request(`http://localhost:3000/account/statement?${query}`);

describe(`GET /account/statement on ${database.kind}`, () => {
  it("is the owner's PDF, with the same totals as the yearly email, Cyrillic included; refused to anyone else", async () => {
    await giveOnceAndSettle("statement-owner@example.org", { amount: 2500, currency: "eur" });
    await giveOnceAndSettle("statement-owner@example.org", { amount: 1000, currency: "usd" });
    await giveOnceAndSettle("statement-other@example.org", { amount: 4200, currency: "eur" });
    const db = getDb();
    const [owned] = await db.select({ charge: payments.stripeChargeId, paidAt: payments.paidAt }).from(payments).where(eq(payments.amountMinor, 2500));
    const marker = await lastEventId();
    await sandboxStripe().refunds.create({ charge: owned!.charge, amount: 500 });
    await deliver(await eventsAfter(marker));
    await drainUntilSettled();
    await db.update(supporters).set({ name: "Анна Петрова" }).where(eq(supporters.email, "statement-owner@example.org"));
    // The stand-in's clock dates the payments (TEST_CLOCK_START may put it ahead), not this machine's.
    const year = owned!.paidAt.getUTCFullYear();
    const owner = await signedIn("statement-owner@example.org");

    const response = await statementResponse(request(`year=${year}`), owner);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="statement-${year}.pdf"`);
    const text = await pdfText(new Uint8Array(await response.arrayBuffer()));
    expect(text).toContain(`Statement of gifts, ${year}`);
    expect(text).toContain("For Анна Петрова");
    expect(text).toMatch(/EUR €25\.00 €5\.00 €0\.00 €20\.00/);
    expect(text).toMatch(/USD \$10\.00 \$0\.00 \$0\.00 \$10\.00/);
    expect(text).not.toContain("42.00");

    const russian = await pdfText(new Uint8Array(await (await statementResponse(request(`year=${year}&lang=ru`), owner)).arrayBuffer()));
    expect(russian).toContain(`Выписка о пожертвованиях за ${year} год`);
    expect(russian).toMatch(/EUR 25,00\s€ 5,00\s€ 0,00\s€ 20,00\s€/);

    // The yearly email carries the same figures.
    await queueYearlyStatements(year);
    const [email] = await db.select({ props: outboundEmails.props }).from(outboundEmails).where(eq(outboundEmails.idempotencyKey, `statement:${(await db.select({ id: supporters.id }).from(supporters).where(eq(supporters.email, "statement-owner@example.org")))[0]!.id}:${year}`));
    expect((email!.props as { totals: unknown[] }).totals).toEqual([
      { currency: "eur", amountMinor: 2000, paidMinor: 2500, refundedMinor: 500, disputeLostMinor: 0 },
      { currency: "usd", amountMinor: 1000, paidMinor: 1000, refundedMinor: 0, disputeLostMinor: 0 },
    ]);

    // Another supporter gets their own statement, never the owner's figures.
    const otherText = await pdfText(new Uint8Array(await (await statementResponse(request(`year=${year}`), await signedIn("statement-other@example.org"))).arrayBuffer()));
    expect(otherText).toMatch(/EUR €42\.00/);
    expect(otherText).not.toContain("Анна");
    expect(otherText).not.toContain("USD");
    expect((await statementResponse(request(`year=${year}`), nobody)).status).toBe(404);
    expect((await statementResponse(request(`year=${year}`), { kind: "manage_link", recurringGiftId: crypto.randomUUID() })).status).toBe(404);
    expect((await statementResponse(request("year=twenty"), owner)).status).toBe(400);
    expect((await statementResponse(request(""), owner)).status).toBe(400);
  });
});
