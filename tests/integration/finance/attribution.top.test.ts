import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { gifts, payments, staffMembers } from "@/db/schema";
import { attribution } from "@/lib/finance/attribution";
import { rollupDifferences } from "@/lib/finance/rollup-check";
import { signedIn } from "../../support/actors";
import { useTestDatabase } from "../../support/database";

const database = useTestDatabase();

let n = 0;
/** A one-time gift to `article` paid at noon UTC on `day`, in euros (minor units). */
async function gave(article: string, day: string, amount: number): Promise<void> {
  const db = getDb();
  n++;
  const at = new Date(`${day}T12:00:00Z`);
  const [gift] = await db
    .insert(gifts)
    .values({ stripeCheckoutSessionId: `cs_top_${n}`, frequency: "once", amountMinor: amount, currency: "eur", livemode: "test", articleUrl: article, givenAt: at })
    .returning({ id: gifts.id });
  await db.insert(payments).values({
    giftId: gift!.id,
    stripePaymentIntentId: `pi_top_${n}`,
    stripeChargeId: `ch_top_${n}`,
    amountMinor: amount,
    currency: "eur",
    livemode: "test",
    paidAt: at,
  });
}

const top = async (period: { from: string; to: string }, limit: number) =>
  (await attribution(await signedIn("books@paper.example"), period, "article", getDb(), { limit })).map((r) => [r.key, r.grossMinor, r.payments]);

beforeAll(async () => {
  await getDb().insert(staffMembers).values({ email: "books@paper.example", role: "finance", grantedBy: "test" });
  // 3 to 5 June 2025, three edge days (June is not whole): each day has a leader of its own, a
  // runner-up of its own, and /steady third every day, whose three days add up to the most.
  for (const [day, leader, runnerUp] of [
    ["2025-06-03", "/leader/1", "/runner/1"],
    ["2025-06-04", "/leader/2", "/runner/2"],
    ["2025-06-05", "/leader/3", "/runner/3"],
  ] as const) {
    await gave(leader, day, 2500);
    await gave(runnerUp, day, 2000);
    await gave("/steady", day, 900);
    await gave("/small", day, 100);
  }
  // July, a whole month: /big leads; /also second; many small articles after them.
  await gave("/big", "2025-07-10", 50_000);
  await gave("/also", "2025-07-11", 30_000);
  for (let i = 0; i < 6; i++) await gave(`/tail/${i}`, "2025-07-12", 1000 + i);
});

describe(`the top articles of a period on ${database.kind}`, () => {
  it("finds the largest keys from each block's largest rows when they are safely ahead of every other key", async () => {
    // July: /big's €500.00 is above anything a key outside July's two largest rows could have (€10.05).
    expect(await top({ from: "2025-07-01", to: "2025-07-31" }, 1)).toEqual([["/big", 50_000, 1]]);
    expect(await top({ from: "2025-07-01", to: "2025-07-31" }, 3)).toEqual([
      ["/big", 50_000, 1],
      ["/also", 30_000, 1],
      ["/tail/5", 1005, 1],
    ]);
  });

  it("finds a key that is never among any day's largest when its days add up to the most", async () => {
    // Each day's two largest rows are its leader and runner-up (€25.00, €20.00): /steady's €27.00
    // over the three days beats every one of them, though no single day shows it near the top.
    expect(await top({ from: "2025-06-03", to: "2025-06-05" }, 1)).toEqual([["/steady", 2700, 3]]);
    expect(await top({ from: "2025-06-03", to: "2025-06-05" }, 3)).toEqual([
      ["/steady", 2700, 3],
      ["/leader/1", 2500, 1],
      ["/leader/2", 2500, 1],
    ]);
    // June and July together: the whole of July by month, June's days by day.
    expect(await top({ from: "2025-06-03", to: "2025-07-31" }, 2)).toEqual([
      ["/big", 50_000, 1],
      ["/also", 30_000, 1],
    ]);
    expect(await rollupDifferences(getDb())).toEqual([]);
  });
});
