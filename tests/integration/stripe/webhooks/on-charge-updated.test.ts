import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { stripeEvents } from "@/db/schema";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { useTestDatabase } from "../../../support/database";
import { giveOnce } from "../../../support/gifts";
import { clearLedger, ledgerSnapshot } from "../../../support/ledger";
import { control, deliver, eventsAfter, usePrivateSandbox } from "../../../support/stripe";

// This file delays the fees the stand-in attaches, so it has a stand-in of its own.
usePrivateSandbox();
const database = useTestDatabase();

describe(`charge.updated on ${database.kind}`, () => {
  beforeEach(async () => {
    await clearLedger();
    await control("POST", "/_sandbox/config", { api_latency_ms: 0 });
  });

  describe("when Stripe attaches the fee after the payment's events", () => {
    // Long enough that the payment's events are delivered and applied before the fee exists, even on
    // a machine so loaded that this takes seconds (400 ms once lost that race in CI).
    beforeEach(async () => {
      await control("POST", "/_sandbox/config", { balance_transaction_delay_ms: 4000 });
    });
    afterEach(async () => {
      await control("POST", "/_sandbox/config", { balance_transaction_delay_ms: 0 });
    });

    const waitForChargeUpdated = async (marker: string | undefined) => {
      for (let i = 0; i < 300; i++) {
        const updated = (await eventsAfter(marker)).find((e) => e.type === "charge.updated");
        if (updated) return updated;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error("no charge.updated");
    };

    it("records the payment without a fee, then fills fee and net from charge.updated", { timeout: 60_000 }, async () => {
      const { session, events } = await giveOnce({ amount: 2000, currency: "eur" });
      expect(events.map((e) => e.type)).not.toContain("charge.updated");
      await deliver(events);
      await drainStripeEvents();
      expect((await ledgerSnapshot()).payments).toEqual([expect.objectContaining({ amountMinor: 2000, feeMinor: null, netMinor: null, gift: session.id })]);

      const updated = await waitForChargeUpdated(events.at(-1)!.id);
      await deliver([updated]);
      await drainStripeEvents();
      // 1.5% + €0.25 of €20.00.
      expect((await ledgerSnapshot()).payments).toEqual([expect.objectContaining({ feeMinor: 55, netMinor: 1945, settlementCurrency: "eur" })]);
    });

    it("keeps a fee that arrives before its payment until the payment is recorded", { timeout: 60_000 }, async () => {
      const { events } = await giveOnce({ amount: 2000, currency: "eur" });
      const updated = await waitForChargeUpdated(events.at(-1)!.id);
      await deliver([updated]);
      expect(await drainStripeEvents()).toEqual({ processed: 0, failed: 1 });
      const [waiting] = await getDb().select().from(stripeEvents).where(eq(stripeEvents.id, updated.id));
      expect(waiting).toMatchObject({ status: "pending" });
      expect(waiting!.lastError).toContain("is not recorded yet");

      await deliver(events);
      await drainStripeEvents();
      await getDb().update(stripeEvents).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(stripeEvents.id, updated.id));
      await drainStripeEvents();
      expect((await ledgerSnapshot()).payments).toEqual([expect.objectContaining({ amountMinor: 2000, feeMinor: 55, netMinor: 1945 })]);
      expect((await getDb().select().from(stripeEvents).where(eq(stripeEvents.id, updated.id)))[0]).toMatchObject({ status: "processed" });
    });
  });
});
