import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/finance/summary/route";
import { getDb } from "@/db";
import { payments } from "@/db/schema";
import { createToken, revokeToken } from "@/lib/finance/tokens";
import { signedIn } from "../../../../../support/actors";
import { useTestDatabase } from "../../../../../support/database";
import { giveOnceAndSettle } from "../../../../../support/email-suite";

const database = useTestDatabase();

const request = (query: string, authorization?: string) =>
  new Request(`http://localhost/api/finance/summary${query}`, { headers: authorization ? { authorization } : {} });

describe(`GET /api/finance/summary on ${database.kind}`, () => {
  it("answers a valid token with the period's figures, then refuses it once revoked, and never tells a stranger anything", async () => {
    await giveOnceAndSettle("api-giver@example.org", { amount: 2500, currency: "eur" });
    await giveOnceAndSettle("api-giver@example.org", { amount: 1000, currency: "usd" });
    const admin = await signedIn("admin@example.org");
    const created = await createToken(admin, { name: "Accounting" }, "/finance/tokens");
    // The period is the days the payments were made on, by the stand-in's clock: never today's date.
    const paidOn = (await getDb().select({ paidAt: payments.paidAt }).from(payments)).map((p) => p.paidAt.toISOString().slice(0, 10)).sort();
    const [from, to] = [paidOn[0]!, paidOn.at(-1)!];
    const query = `?from=${from}&to=${to}`;

    const answer = await GET(request(query, `Bearer ${created.token}`));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    const body = (await answer.json()) as { period: unknown; mode: string; currencies: Array<{ currency: string; grossMinor: number; payments: number; churn: unknown[] }> };
    expect(body.period).toEqual({ from, to });
    expect(body.mode).toBe("test");
    expect(body.currencies.map((c) => [c.currency, c.grossMinor, c.payments]).sort()).toEqual([
      ["eur", 2500, 1],
      ["usd", 1000, 1],
    ]);
    const eurOnly = (await (await GET(request(`${query}&currency=EUR`, `Bearer ${created.token}`))).json()) as { currencies: Array<{ currency: string }> };
    expect(eurOnly.currencies.map((c) => c.currency)).toEqual(["eur"]);

    // A bad period is named, for a valid token.
    const bad = await GET(request("?from=2026-02-30&to=2026-03-01", `Bearer ${created.token}`));
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe("from is not a real date");

    // No token, a wrong one, another scheme: 401 and nothing else, whatever was asked.
    for (const authorization of [undefined, "Bearer rf_fin_not-a-token", `Basic ${created.token}`]) {
      const refused = await GET(request("?from=nonsense", authorization));
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="finance"');
      expect(await refused.text()).not.toContain("grossMinor");
    }

    await revokeToken(admin, created.id, "/finance/tokens");
    const revoked = await GET(request(query, `Bearer ${created.token}`));
    expect(revoked.status).toBe(401);
    expect(await revoked.text()).not.toContain("eur");
  });
});
