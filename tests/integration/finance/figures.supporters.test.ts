import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { gifts, payments, supporters } from "@/db/schema";
import { figuresFor } from "@/lib/finance/figures";
import { rollupDifferences } from "@/lib/finance/rollup-check";
import { useTestDatabase } from "../../support/database";

const database = useTestDatabase();

let n = 0;

async function supporter(email: string): Promise<string> {
  const [row] = await getDb().insert(supporters).values({ email }).returning({ id: supporters.id });

  return row!.id;
}

/** A one-time euro gift and its payment, paid at noon UTC on `day`; the payment's values, to insert. */
async function paymentOf(supporterId: string, day: string) {
  const [gift] = await getDb()
    .insert(gifts)
    .values({ supporterId, stripeCheckoutSessionId: `cs_${++n}`, frequency: "once", amountMinor: 1000, currency: "eur", livemode: "test", givenAt: new Date(`${day}T12:00:00Z`) })
    .returning({ id: gifts.id });

  return {
    giftId: gift!.id,
    supporterId,
    stripePaymentIntentId: `pi_${n}`,
    stripeChargeId: `ch_${n}`,
    amountMinor: 1000,
    currency: "eur",
    livemode: "test" as const,
    paidAt: new Date(`${day}T12:00:00Z`),
  };
}

async function pay(supporterId: string, day: string): Promise<string> {
  const [row] = await getDb()
    .insert(payments)
    .values(await paymentOf(supporterId, day))
    .returning({ id: payments.id });

  return row!.id;
}

/** Distinct euro supporters in each period, as the figures give them (null: no euro payment in it). */
async function supportersIn(...periods: Array<[string, string]>) {
  const out: Record<string, number | null> = {};
  for (const [from, to] of periods) out[`${from}..${to}`] = (await figuresFor({ from, to }, getDb())).find((f) => f.currency === "eur")?.supporters ?? null;

  return out;
}

describe(`distinct supporters kept by the payments' triggers, whatever the order of writes, on ${database.kind}`, () => {
  let a: string;
  let b: string;
  let middle: string;
  let june: string;

  beforeAll(async () => {
    a = await supporter("a@example.org");
    b = await supporter("b@example.org");
  });

  it("counts a supporter's middle day written last, and a day paid twice, once", async () => {
    await pay(a, "2025-05-01");
    await pay(a, "2025-05-20");
    june = await pay(a, "2025-06-05");
    middle = await pay(a, "2025-05-10");
    await pay(b, "2025-05-10");
    await pay(b, "2025-05-10");
    await pay(b, "2025-07-01");
    expect(await rollupDifferences(getDb())).toEqual([]);
    // a: 05-01, 05-10, 05-20, 06-05; b: 05-10 (twice), 07-01.
    expect(
      await supportersIn(["2025-05-01", "2025-05-31"], ["2025-05-02", "2025-05-19"], ["2025-05-11", "2025-06-30"], ["2025-05-21", "2025-07-01"], ["2025-05-01", "2025-07-31"], ["2025-05-10", "2025-05-10"]),
    ).toEqual({
      "2025-05-01..2025-05-31": 2,
      "2025-05-02..2025-05-19": 2,
      "2025-05-11..2025-06-30": 1,
      "2025-05-21..2025-07-01": 2,
      "2025-05-01..2025-07-31": 2,
      "2025-05-10..2025-05-10": 2,
    });
  });

  it("takes a deleted middle day out and joins its neighbours again", async () => {
    await getDb().delete(payments).where(eq(payments.id, middle));
    expect(await rollupDifferences(getDb())).toEqual([]);
    // a: 05-01, 05-20, 06-05; b: 05-10 (twice), 07-01.
    expect(await supportersIn(["2025-05-02", "2025-05-19"], ["2025-05-01", "2025-05-31"], ["2025-05-01", "2025-05-20"], ["2025-05-02", "2025-06-30"])).toEqual({
      "2025-05-02..2025-05-19": 1,
      "2025-05-01..2025-05-31": 2,
      "2025-05-01..2025-05-20": 2,
      "2025-05-02..2025-06-30": 2,
    });
  });

  it("moves a payment to another day, writes several of one supporter in one statement, and lets a supporter go", async () => {
    const db = getDb();
    await db.update(payments).set({ paidAt: new Date("2025-07-01T08:00:00Z") }).where(eq(payments.id, june));
    // c pays twice on 08-01 and once on 08-15, all in one statement.
    const c = await supporter("c@example.org");
    await db.insert(payments).values([await paymentOf(c, "2025-08-01"), await paymentOf(c, "2025-08-15"), await paymentOf(c, "2025-08-01")]);
    expect(await rollupDifferences(db)).toEqual([]);
    // a: 05-01, 05-20, 07-01; b: 05-10 (twice), 07-01; c: 08-01 (twice), 08-15.
    expect(await supportersIn(["2025-05-15", "2025-06-30"], ["2025-06-01", "2025-07-01"], ["2025-08-01", "2025-08-31"], ["2025-08-02", "2025-08-31"], ["2025-05-01", "2025-08-31"])).toEqual({
      "2025-05-15..2025-06-30": 1,
      "2025-06-01..2025-07-01": 2,
      "2025-08-01..2025-08-31": 1,
      "2025-08-02..2025-08-31": 1,
      "2025-05-01..2025-08-31": 3,
    });
    // Erasing b leaves its payments without a supporter: they no longer count anyone.
    await db.delete(supporters).where(eq(supporters.id, b));
    expect(await rollupDifferences(db)).toEqual([]);
    expect(await supportersIn(["2025-05-01", "2025-05-31"], ["2025-07-01", "2025-07-01"], ["2025-05-01", "2025-08-31"])).toEqual({
      "2025-05-01..2025-05-31": 1,
      "2025-07-01..2025-07-01": 1,
      "2025-05-01..2025-08-31": 2,
    });
    // Every payment gone, in one statement: nothing left counted.
    await db.delete(payments);
    expect(await rollupDifferences(db)).toEqual([]);
  });
});
