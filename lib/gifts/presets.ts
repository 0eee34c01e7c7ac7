import type { GiftCurrency } from "@/lib/money";

export const FREQUENCIES = ["once", "monthly", "annual"] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** Frequencies that can be started today; any other shows in the picker as not yet available. */
export const AVAILABLE_FREQUENCIES: readonly Frequency[] = ["once", "monthly", "annual"];

/**
 * Preset amounts (minor units) per currency and frequency, one marked as suggested. These are the
 * defaults; campaign settings in the database will override them per campaign.
 */
export const PRESET_AMOUNTS: Record<Frequency, Record<GiftCurrency, { amounts: number[]; suggested: number }>> = {
  once: {
    eur: { amounts: [1000, 2500, 5000, 10000], suggested: 2500 },
    usd: { amounts: [1000, 2500, 5000, 10000], suggested: 2500 },
    gbp: { amounts: [1000, 2000, 5000, 10000], suggested: 2000 },
  },
  monthly: {
    eur: { amounts: [500, 1000, 2000, 3000], suggested: 1000 },
    usd: { amounts: [500, 1000, 2000, 3000], suggested: 1000 },
    gbp: { amounts: [500, 1000, 2000, 3000], suggested: 1000 },
  },
  annual: {
    eur: { amounts: [5000, 10000, 20000, 30000], suggested: 10000 },
    usd: { amounts: [5000, 10000, 20000, 30000], suggested: 10000 },
    gbp: { amounts: [5000, 10000, 20000, 30000], suggested: 10000 },
  },
};
