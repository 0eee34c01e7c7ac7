/**
 * Stripe's standard card pricing, for the account this stand-in pretends to be: each currency is
 * settled in itself (as with a bank account per currency), at the domestic standard rate of the
 * region that uses it: US 2.9% + 30¢, EEA 1.5% + €0.25, UK 1.5% + 20p. Others: 2.9% + 30 minor units.
 */
const PRICING: Record<string, { basisPoints: number; fixedMinor: number }> = {
  usd: { basisPoints: 290, fixedMinor: 30 },
  eur: { basisPoints: 150, fixedMinor: 25 },
  gbp: { basisPoints: 150, fixedMinor: 20 },
};
const DEFAULT_PRICING = { basisPoints: 290, fixedMinor: 30 };

/** The fee on a charge, in minor units, rounded half up as Stripe rounds fees. Integer arithmetic only. */
export function stripeFee(amountMinor: number, currency: string): number {
  const { basisPoints, fixedMinor } = PRICING[currency] ?? DEFAULT_PRICING;
  const percentPart = Math.floor((amountMinor * basisPoints + 5_000) / 10_000);

  return Math.min(amountMinor, percentPart + fixedMinor);
}
