import { en } from "@/lib/i18n/en";
import { describe, expect, it } from "vitest";
import { accountPayments } from "@/db/queries/account";
import { nobody } from "@/lib/supporters/actor";
import { receiptResponse } from "@/app/account/receipt/respond";
import { signedIn } from "../../../../support/actors";
import { useTestDatabase } from "../../../../support/database";
import { giveOnceAndSettle } from "../../../../support/email-suite";

const database = useTestDatabase();
const request = (query: string) => new Request(`http://localhost:3000/account/receipt?${query}`);

describe(`GET /account/receipt on ${database.kind}`, () => {
  it("gives the owner their payment's receipt, and everyone else a 404 that tells nothing", async () => {
    await giveOnceAndSettle("receipt-owner@example.org", { amount: 2500, currency: "eur" });
    await giveOnceAndSettle("receipt-other@example.org", { amount: 900, currency: "usd" });
    const owner = await signedIn("receipt-owner@example.org");
    const other = await signedIn("receipt-other@example.org");
    const [payment] = await accountPayments(owner);

    const response = await receiptResponse(request(`payment=${payment!.paymentId}`), owner);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="receipt-\d{4}-\d{2}-\d{2}\.html"$/);
    const html = await response.text();
    expect(html).toContain("€25.00");
    expect(html).toContain(payment!.reference);
    // The thank-you page's receipt for a discreet giver says it names no one; a supporter's is theirs.
    expect(html).not.toContain(en.thanks.receiptNoPersonal);

    const russian = await (await receiptResponse(request(`payment=${payment!.paymentId}&lang=ru`), owner)).text();
    expect(russian).toContain('lang="ru"');
    expect(russian).toContain("25,00");

    const unknown = await (await receiptResponse(request(`payment=${crypto.randomUUID()}`), owner)).text();
    for (const [actor, query] of [
      [other, `payment=${payment!.paymentId}`],
      [nobody, `payment=${payment!.paymentId}`],
      [{ kind: "manage_link", recurringGiftId: crypto.randomUUID() } as const, `payment=${payment!.paymentId}`],
      [owner, "payment=not-a-uuid"],
      [owner, ""],
    ] as const) {
      const refused = await receiptResponse(request(query), actor);
      expect(refused.status).toBe(404);
      // Someone else's payment reads exactly as no payment.
      expect(await refused.text()).toBe(unknown);
    }
  });
});
