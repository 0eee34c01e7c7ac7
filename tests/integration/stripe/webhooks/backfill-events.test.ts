import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { addDays } from "@/lib/finance/period";
import { reconciliationReport } from "@/lib/finance/reconcile";
import { backfillStripeEvents } from "@/lib/stripe/webhooks/backfill-events";
import { signedIn } from "../../../support/actors";
import { useTestDatabase } from "../../../support/database";
import { ensureGiftProducts, giveOnce, startRecurringGift } from "../../../support/gifts";
import { clearLedger, drainUntilSettled, ledgerSnapshot } from "../../../support/ledger";
import { deliver, eventsAfter, lastEventId, usePrivateSandbox } from "../../../support/stripe";

// Its own stand-in: its event list holds this file's gifts only.
usePrivateSandbox();
const database = useTestDatabase();

const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;
const utcDay = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);
const at = (unix: number) => new Date(unix * 1000);

describe(`backfill from Stripe's event list on ${database.kind}`, () => {
  it("after an outage no delivery will make good, restores every gift as delivery would have, stores nothing twice, and leaves nothing for reconciliation", async () => {
    await clearLedger();
    await ensureGiftProducts();
    const marker = await lastEventId();
    const delivered = await giveOnce({ email: unique("delivered"), amount: 2500 });
    await giveOnce({ email: unique("lost"), amount: 4000 });
    await startRecurringGift({ email: unique("monthly"), amount: 1000 });
    const all: Stripe.Event[] = await eventsAfter(marker);
    const created = all.map((event) => event.created);
    const span = { since: at(Math.min(...created)), until: at(Math.max(...created) + 1) };

    // The ledger when every webhook arrives: what the backfill must reach.
    await deliver(all);
    await drainUntilSettled();
    const expected = await ledgerSnapshot();
    expect(expected.payments.map((payment) => payment.amountMinor).sort((a, b) => a - b)).toEqual([1000, 2500, 4000]);

    // The outage: only the first gift's webhooks arrived, Stripe gave up on the rest.
    await clearLedger();
    await deliver(delivered.events);
    await drainUntilSettled();
    expect((await ledgerSnapshot()).payments).toHaveLength(1);

    const first = await backfillStripeEvents(span);
    expect(first.listed).toBeGreaterThanOrEqual(all.length);
    expect(first.stored + first.duplicate + first.ignored).toBe(first.listed);
    // The delivered gift's events were in the inbox already.
    expect(first.duplicate).toBe(delivered.events.length);
    expect(first.stored).toBeGreaterThan(0);
    await drainUntilSettled();
    expect(await ledgerSnapshot()).toEqual(expected);

    // Again: everything is there, nothing changes.
    const events = await getDb().execute(sql`select count(*)::int as n from stripe_events`);
    const again = await backfillStripeEvents(span);
    expect(again).toMatchObject({ listed: first.listed, stored: 0, ignored: 0, duplicate: first.listed });
    expect(await getDb().execute(sql`select count(*)::int as n from stripe_events`)).toEqual(events);
    await drainUntilSettled();
    expect(await ledgerSnapshot()).toEqual(expected);

    const report = await reconciliationReport(await signedIn("admin@example.org"), { from: addDays(utcDay(Math.min(...created)), -1), to: addDays(utcDay(Math.max(...created)), 1) }, getDb());
    expect({ missing: report.missing, differs: report.differs, ledgerOnly: report.ledgerOnly }).toEqual({ missing: [], differs: [], ledgerOnly: [] });
    expect(report.checked).toMatchObject({ gift: 2, payment: 3 });
  });
});
