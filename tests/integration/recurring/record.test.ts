import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { upsertRecurringGift } from "@/lib/recurring/record";
import { subscriptionFacts } from "@/lib/recurring/subscription-facts";
import { useTestDatabase } from "../../support/database";
import { ensureGiftProducts, startRecurringGift as startGift } from "../../support/gifts";
import { clearLedger, ledgerSnapshot } from "../../support/ledger";
import { sandboxStripe, usePrivateSandbox } from "../../support/stripe";

// Subscriptions of its own, on products of its own: a stand-in of its own.
usePrivateSandbox();
const database = useTestDatabase();

// What the app stamps on a gift from an article, in Russian.
const ARTICLE = { locale: "ru", article_url: "https://news.example/investigation", campaign: "footer" };
const startRecurringGift = (options: Parameters<typeof startGift>[0] = {}) => startGift({ ...options, metadata: { ...ARTICLE, ...options.metadata } });

describe(`recording a recurring gift on ${database.kind}`, () => {
  beforeAll(async () => {
    await ensureGiftProducts();
  });

  it("never lets an older read of a subscription overwrite a newer one, nor revive an ended gift", async () => {
    const { subscriptionId } = await startRecurringGift();
    const stripe = sandboxStripe();
    const activeRead = await stripe.subscriptions.retrieve(subscriptionId, { expand: ["customer", "latest_invoice"] });
    await stripe.subscriptions.cancel(subscriptionId);
    const endedRead = await stripe.subscriptions.retrieve(subscriptionId, { expand: ["customer", "latest_invoice"] });
    await clearLedger();
    const write = (subscription: Stripe.Subscription, at: number) =>
      getDb().transaction((tx) => upsertRecurringGift(tx, subscriptionFacts(subscription, new Date(at))!));

    await write(endedRead, 2_000);
    // A worker that read the subscription before it was cancelled commits last.
    await write(activeRead, 1_000);
    const ended = (await ledgerSnapshot()).recurringGifts[0]!;
    expect(ended).toMatchObject({ status: "ended", stripeStatus: "canceled" });
    expect(ended.endedAt).not.toBeNull();
    // Even a read stamped later (a clock gone wrong) cannot bring back any of it.
    await write(activeRead, 3_000);
    expect((await ledgerSnapshot()).recurringGifts[0]).toEqual(ended);
  });
});
