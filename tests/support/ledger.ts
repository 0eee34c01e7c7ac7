import { asc, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { gifts, payments, stripeCustomers, stripeEvents, supporters } from "@/db/schema";

/** Everything the ledger holds, without our generated ids and clocks, for comparing two runs. */
export async function ledgerSnapshot() {
  const db = getDb();
  const supporterRows = await db.select().from(supporters).orderBy(asc(supporters.email));
  const emailOf = new Map(supporterRows.map((s) => [s.id, s.email]));
  const giftRows = await db.select().from(gifts).orderBy(asc(gifts.stripeCheckoutSessionId));
  const sessionOf = new Map(giftRows.map((g) => [g.id, g.stripeCheckoutSessionId]));

  return {
    supporters: supporterRows.map(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => rest),
    stripeCustomers: (await db.select().from(stripeCustomers).orderBy(asc(stripeCustomers.id))).map(({ supporterId, createdAt: _c, ...rest }) => ({
      ...rest,
      supporter: emailOf.get(supporterId),
    })),
    gifts: giftRows.map(({ id: _id, recordedAt: _r, supporterId, ...rest }) => ({ ...rest, supporter: supporterId ? emailOf.get(supporterId) : null })),
    payments: (await db.select().from(payments).orderBy(asc(payments.stripePaymentIntentId))).map(
      ({ id: _id, recordedAt: _r, supporterId, giftId, ...rest }) => ({
        ...rest,
        supporter: supporterId ? emailOf.get(supporterId) : null,
        gift: giftId ? sessionOf.get(giftId) : null,
      }),
    ),
  };
}

export async function clearLedger(): Promise<void> {
  await getDb().execute(sql`truncate ${payments}, ${gifts}, ${stripeCustomers}, ${supporters}, ${stripeEvents} cascade`);
}

export async function countRows() {
  const db = getDb();
  const count = async (table: typeof gifts | typeof payments | typeof supporters | typeof stripeEvents | typeof stripeCustomers) =>
    (await db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;

  return {
    supporters: await count(supporters),
    stripeCustomers: await count(stripeCustomers),
    gifts: await count(gifts),
    payments: await count(payments),
    stripeEvents: await count(stripeEvents),
  };
}
