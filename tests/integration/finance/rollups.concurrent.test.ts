import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { figuresFor } from "@/lib/finance/figures";
import { isoDay } from "@/lib/finance/period";
import { rollupDifferences } from "@/lib/finance/rollup-check";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { useTestDatabase } from "../../support/database";
import { ensureGiftProducts, giveOnce, startRecurringGift } from "../../support/gifts";
import { clearLedger, drainUntilSettled, makePendingDue } from "../../support/ledger";
import { advanceToRenewal, control, deliver, eventsAfter, lastEventId, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

usePrivateSandbox();
const database = useTestDatabase();

/** Gifts in two currencies with a renewal, partial refunds and a lost dispute: every rollup gets rows. */
async function busyDay(): Promise<Stripe.Event[]> {
  const stripe = sandboxStripe();
  await ensureGiftProducts();
  const marker = await lastEventId();
  const gifts = [];
  for (const [index, [amount, currency]] of ([[2500, "eur"], [1000, "usd"], [4000, "eur"], [700, "gbp"], [1500, "eur"]] as const).entries()) {
    gifts.push(await giveOnce({ amount, currency, email: `burst${index}@example.org`, metadata: { article_url: `https://news.example.org/${index % 2}`, campaign: "burst" } }));
  }
  const monthly = await startRecurringGift({ amount: 1200, currency: "eur", email: "burst-monthly@example.org", metadata: { article_url: "https://news.example.org/0" } });
  await startRecurringGift({ interval: "year", amount: 6000, currency: "usd", email: "burst-annual@example.org" });
  await advanceToRenewal(monthly.subscriptionId);

  const charges = (await stripe.charges.list({ limit: 100 })).data;
  const charge = (amount: number) => charges.find((c) => c.amount === amount)!;
  await stripe.refunds.create({ charge: charge(2500).id, amount: 500 });
  await stripe.refunds.create({ charge: charge(1000).id });
  const dispute = await control<Stripe.Dispute>("POST", `/_sandbox/charges/${charge(4000).id}/dispute`, { reason: "fraudulent" });
  await control("POST", `/_sandbox/disputes/${dispute.id}/close`, { outcome: "lost" });
  await stripe.subscriptions.update(monthly.subscriptionId, { cancel_at_period_end: true });

  return eventsAfter(marker);
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }

  return out;
}

describe(`finance rollups under a burst of concurrent webhooks on ${database.kind}`, () => {
  let events: Stripe.Event[] = [];
  let inOrder: Awaited<ReturnType<typeof figuresFor>>;
  let period: { from: string; to: string };

  beforeAll(async () => {
    events = await busyDay();
    const created = events.map((e) => e.created * 1000);
    period = { from: isoDay(new Date(Math.min(...created) - 86_400_000)), to: isoDay(new Date(Math.max(...created) + 86_400_000)) };
    await clearLedger();
    await deliver(events);
    await drainUntilSettled();
    inOrder = await figuresFor(period, getDb());
  }, 240_000);

  it("has figures in three currencies to compare against", () => {
    expect(inOrder.map((f) => f.currency).sort()).toEqual(["eur", "gbp", "usd"]);
    expect(inOrder.find((f) => f.currency === "eur")).toMatchObject({ refunds: 1, refundedMinor: 500, disputes: 1, disputesLost: 1 });
  });

  it("ends with rollups equal to the ledger and the same figures, whatever the order, repetition and concurrency", async () => {
    for (const seed of [7, 11]) {
      await clearLedger();
      // Every event twice, shuffled, delivered by four concurrent senders, and drained by three
      // workers at once while deliveries still arrive.
      const queue = shuffled([...events, ...events], seed);
      const senders = Array.from({ length: 4 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [response] = await deliver([next]);
          expect(response!.status).toBe(200);
        }
      });
      const workers = Array.from({ length: 3 }, async () => {
        for (let round = 0; round < 6; round++) {
          await makePendingDue();
          await drainStripeEvents();
        }
      });
      await Promise.all([...senders, ...workers]);
      await drainUntilSettled();

      expect(await rollupDifferences(getDb())).toEqual([]);
      expect(await figuresFor(period, getDb())).toEqual(inOrder);
    }
  }, 300_000);
});
