import type { GiftCurrency } from "@/lib/money";

/**
 * Stripe's standard card pricing for the newsroom's account, per settlement currency: what
 * "cover the processing fee" adds. The account settles each currency in itself at the domestic
 * rate of the region that uses it: US 2.9% + 30¢, EEA 1.5% + €0.25, UK 1.5% + 20p. A card from
 * elsewhere costs more, so a covered fee can fall a little short; it never overcharges by more
 * than a minor unit.
 */
export const CARD_PRICING: Record<GiftCurrency, { basisPoints: number; fixedMinor: number }> = {
  usd: { basisPoints: 290, fixedMinor: 30 },
  eur: { basisPoints: 150, fixedMinor: 25 },
  gbp: { basisPoints: 150, fixedMinor: 20 },
};

/** Stripe's fee on a charge: the percentage rounded half up, plus the fixed part. Integers only. */
export function cardFee(amountMinor: number, currency: GiftCurrency): number {
  const { basisPoints, fixedMinor } = CARD_PRICING[currency];

  return Math.floor((amountMinor * basisPoints + 5_000) / 10_000) + fixedMinor;
}

/**
 * What to add to a gift so that, after the fee on the larger charge, the newsroom receives the
 * whole gift: the least `extra` with `gift + extra - fee(gift + extra) >= gift`.
 */
export function feeToCover(giftMinor: number, currency: GiftCurrency): number {
  const { basisPoints, fixedMinor } = CARD_PRICING[currency];
  // The closed form lands on or one below the answer (rounding of the percentage); step up.
  let total = Math.ceil(((giftMinor + fixedMinor) * 10_000) / (10_000 - basisPoints)) - 1;
  while (total - cardFee(total, currency) < giftMinor) total += 1;

  return total - giftMinor;
}
