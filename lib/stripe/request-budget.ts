import { rawQuery } from "@/db";
import { log } from "@/lib/log";

/**
 * The budget's slots: a tenth of a second holding a tenth of the budget, or for a budget under ten a
 * second, one request per 1/budget of a second. Counted per second instead, a budget of B could see
 * 2B requests within one second of real time (B at the end of one second, B at the start of the
 * next), where Stripe's limit would refuse them; in slots, never more than B plus one slot's share.
 */
export function budgetSlots(perSecond: number): { slotMs: number; perSlot: number } {
  const slots = Math.min(10, perSecond);

  return { slotMs: 1000 / slots, perSlot: Math.floor(perSecond / slots) };
}

/**
 * One request from the budget of Stripe API requests that the workers of every instance share,
 * through the database: resolves at once while the current slot has room, else waits for the next
 * slot and tries again. Stripe counts its rate limit per account, not per process, so a budget kept
 * in each process's memory would let N instances ask N times too much at the worst moment (every
 * instance re-reading a burst at once). The slot is read from the database's clock, so every
 * instance agrees which slot it is whatever its own clock says.
 */
export async function takeStripeRequest(perSecond: number): Promise<void> {
  const { slotMs, perSlot } = budgetSlots(perSecond);
  for (let waits = 0; ; waits++) {
    const [taken] = await rawQuery<{ slot: string | number; used: number }>(
      `insert into stripe_request_budget (slot, used)
       values (floor(extract(epoch from clock_timestamp()) * 1000 / $2)::bigint, 1)
       on conflict (slot) do update set used = stripe_request_budget.used + 1 where stripe_request_budget.used < $1
       returning slot, used`,
      [perSlot, slotMs],
    );
    if (taken) {
      // The first request of a slot clears out the slots of more than a minute ago: one small delete a slot at most.
      if (taken.used === 1) await rawQuery(`delete from stripe_request_budget where slot < $1`, [Number(taken.slot) - Math.ceil(60_000 / slotMs)]);
      if (waits > 0) log.debug("stripe request budget: waited for room", { waits });

      return;
    }
    // Full: try again just after the next slot begins, spread out so that the waiting workers of
    // every instance do not all arrive at its first millisecond.
    await new Promise((resolve) => setTimeout(resolve, slotMs - (Date.now() % slotMs) + Math.random() * (slotMs / 4)));
  }
}
