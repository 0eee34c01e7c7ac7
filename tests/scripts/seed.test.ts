import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../support/database";

// The seed writes with the triggers off (superuser) on a PostgreSQL server; PGlite is not its target.
const server = process.env.TEST_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL;
if (!server) console.warn("tests/scripts/seed.test.ts skipped: it needs a PostgreSQL server (DATABASE_URL or TEST_ADMIN_DATABASE_URL).");

const UNTIL = "2026-06-30";

describe.skipIf(!server)("npm run seed", () => {
  useTestDatabase();
  const url = () => process.env.DATABASE_URL!;
  it("fills an empty database with the shape asked for, and rollups equal to the ledger's recomputation", async () => {
    const { seed } = await import("../../scripts/seed");
    const result = await seed({ databaseUrl: url(), payments: 5000, until: UNTIL, log: () => {} });

    expect(result.rollupDifferences).toEqual([]);
    expect(result.payments).toBe(5000);
    expect(result.supporters).toBe(625);
    expect(result.oneTimePayments / result.payments).toBeGreaterThan(0.25);
    expect(result.oneTimePayments / result.payments).toBeLessThan(0.42);
    const sql = postgres(url(), { max: 1, onnotice: () => {} });
    try {
      const [counts] = await sql`
        select (select count(*)::int from payments) payments, (select count(*)::int from gifts) gifts, (select count(*)::int from recurring_gifts) recurring,
          (select count(*)::int from supporters) supporters, (select count(*)::int from refunds) refunds, (select count(*)::int from disputes) disputes,
          (select count(*)::int from payments where livemode <> 'test') live, (select min(paid_at) from payments) first, (select max(paid_at) from payments) last,
          (select array_agg(distinct currency::text order by currency::text) from payments) currencies,
          (select count(distinct article_url)::int from gifts) articles, (select count(distinct campaign || '/' || variant)::int from gifts) variants`;
      expect(counts).toMatchObject({
        payments: 5000,
        gifts: result.oneTimePayments,
        recurring: result.recurringGifts,
        supporters: 625,
        refunds: result.refunds,
        disputes: result.disputes,
        live: 0,
        currencies: ["eur", "gbp", "usd"],
        variants: 8,
      });
      expect(counts!.first.getTime()).toBeGreaterThanOrEqual(Date.parse("2023-07-01T00:00:00Z"));
      expect(counts!.last.getTime()).toBeLessThan(Date.parse("2026-07-01T00:00:00Z"));
      expect(counts!.articles).toBeGreaterThan(100);
      expect(result.refunds).toBeGreaterThan(0);
      expect(result.paymentFailures).toBeGreaterThan(0);
    } finally {
      await sql.end();
    }
  });

  // The bulk build and the triggers agree: every fact taken out and written again with the triggers
  // on leaves the rollups equal to the ledger's recomputation still (rows of zeros aside).
  it("gives the same rollups as the triggers do when every fact is written again with them on", async () => {
    const sql = postgres(url(), { max: 1, onnotice: () => {} });
    try {
      await sql.begin(async (tx) => {
        for (const table of ["recurring_gifts", "payment_failures", "payments", "refunds", "disputes"]) await tx.unsafe(`create temp table copy_${table} as select * from ${table}`);
        await tx.unsafe(`delete from disputes; delete from refunds; delete from payments; delete from recurring_gifts`);
        const emptied = await tx.unsafe<Array<{ n: number }>>(
          `select count(*)::int n from finance_daily where payments_count <> 0 or gross_minor <> 0 or refunds_count <> 0 or disputes_count <> 0`,
        );
        expect(emptied[0]!.n).toBe(0);
        for (const table of ["recurring_gifts", "payment_failures", "payments", "refunds", "disputes"]) await tx.unsafe(`insert into ${table} select * from copy_${table}`);
      });
      const { rollupDifferences } = await import("@/lib/finance/rollup-check");
      const { drizzle } = await import("drizzle-orm/postgres-js");
      expect(await rollupDifferences(drizzle(sql) as never)).toEqual([]);
    } finally {
      await sql.end();
    }
  });

  it("refuses a database that already has a ledger unless asked to append", async () => {
    const { seed } = await import("../../scripts/seed");
    await expect(seed({ databaseUrl: url(), payments: 100, until: UNTIL, log: () => {} })).rejects.toThrow(/already has a ledger/);
    const appended = await seed({ databaseUrl: url(), payments: 1000, until: UNTIL, append: true, log: () => {} });

    expect(appended.payments).toBe(6000);
    expect(appended.rollupDifferences).toEqual([]);
  });
});
