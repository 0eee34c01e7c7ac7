import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { accountPayment, accountPayments, accountStatementYears } from "@/db/queries/account";
import { nobody } from "@/lib/supporters/actor";
import { useTestDatabase } from "../../../support/database";
import { signedIn } from "../../../support/actors";
import { giveOnceAndSettle } from "../../../support/email-suite";
import { drainUntilSettled } from "../../../support/ledger";
import { control, deliver, eventsAfter, lastEventId, sandboxStripe, usePrivateSandbox } from "../../../support/stripe";
import { giveOnce } from "../../../support/gifts";

usePrivateSandbox();
const database = useTestDatabase();

describe(`the account's payments on ${database.kind}`, () => {
  it("shows the owner every payment with what became of it, another supporter only theirs, and nobody nothing", async () => {
    await giveOnceAndSettle("owner@example.org", { amount: 2500, currency: "eur" });
    await giveOnceAndSettle("Owner@Example.org", { amount: 1000, currency: "usd" });
    const { session: third, events } = await giveOnce({ email: "owner@example.org", amount: 4000, currency: "eur" });
    await deliver(events);
    await giveOnceAndSettle("other@example.org", { amount: 700, currency: "gbp" });

    const stripe = sandboxStripe();
    const marker = await lastEventId();
    const [eurCharge] = (await stripe.charges.list({ limit: 100 })).data.filter((c) => c.amount === 2500);
    await stripe.refunds.create({ charge: eurCharge!.id, amount: 500 });
    const usd = (await stripe.charges.list({ limit: 100 })).data.find((c) => c.amount === 1000)!;
    await stripe.refunds.create({ charge: usd.id });
    const thirdIntent = (await stripe.checkout.sessions.retrieve(third.id)).payment_intent as string;
    const thirdCharge = (await stripe.charges.list({ payment_intent: thirdIntent })).data[0]!;
    const dispute = await control<Stripe.Dispute>("POST", `/_sandbox/charges/${thirdCharge.id}/dispute`, { reason: "fraudulent" });
    await control("POST", `/_sandbox/disputes/${dispute.id}/close`, { outcome: "lost" });
    await deliver(await eventsAfter(marker));
    await drainUntilSettled();

    const owner = await signedIn("owner@example.org");
    const other = await signedIn("other@example.org");
    const mine = await accountPayments(owner);
    expect(mine.map((p) => [p.amountMinor, p.currency, p.status, p.refundedMinor, p.disputeLostMinor, p.netMinor]).sort()).toEqual(
      [
        [1000, "usd", "refunded", 1000, 0, 0],
        [2500, "eur", "partly_refunded", 500, 0, 2000],
        [4000, "eur", "dispute_lost", 0, 4000, 0],
      ].sort(),
    );
    // Newest first.
    expect(mine.map((p) => p.paidAt.getTime())).toEqual([...mine.map((p) => p.paidAt.getTime())].sort((a, b) => b - a));
    expect((await accountPayments(other)).map((p) => [p.amountMinor, p.currency, p.status])).toEqual([[700, "gbp", "paid"]]);
    expect(await accountPayments(nobody)).toEqual([]);
    expect(await accountPayments({ kind: "manage_link", recurringGiftId: crypto.randomUUID() })).toEqual([]);
    // Someone signed in who never gave has no payments.
    expect(await accountPayments(await signedIn("stranger@example.org"))).toEqual([]);

    const ownersPayment = mine[0]!.paymentId;
    expect((await accountPayment(owner, ownersPayment))?.paymentId).toBe(ownersPayment);
    expect(await accountPayment(other, ownersPayment)).toBeNull();
    expect(await accountPayment(nobody, ownersPayment)).toBeNull();
    expect(await accountPayment(owner, "not-a-uuid")).toBeNull();

    const year = mine[0]!.paidAt.getUTCFullYear();
    expect(await accountStatementYears(owner)).toContain(year);
    expect(await accountStatementYears(nobody)).toEqual([]);
  });
});
