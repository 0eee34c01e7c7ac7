import type Stripe from "stripe";

export type Settlement = {
  stripeBalanceTransactionId: string;
  settlementAmountMinor: number;
  feeMinor: number;
  netMinor: number;
  settlementCurrency: string;
  exchangeRate: string | null;
};

/** Fee and net from a charge whose balance_transaction is expanded; null until Stripe attaches one. */
export function settlementOf(charge: Stripe.Charge): Settlement | null {
  const bt = charge.balance_transaction;
  if (bt === null) return null;
  if (typeof bt === "string") throw new Error(`charge ${charge.id}: balance_transaction was not expanded`);
  if (bt.net !== bt.amount - bt.fee) throw new Error(`balance transaction ${bt.id}: net ${bt.net} is not amount ${bt.amount} minus fee ${bt.fee}`);

  return {
    stripeBalanceTransactionId: bt.id,
    settlementAmountMinor: bt.amount,
    feeMinor: bt.fee,
    netMinor: bt.net,
    settlementCurrency: bt.currency,
    exchangeRate: bt.exchange_rate === null ? null : String(bt.exchange_rate),
  };
}
