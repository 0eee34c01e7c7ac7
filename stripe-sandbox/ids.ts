import { randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomString(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];

  return out;
}

/** Ids with Stripe's prefixes and roughly Stripe's lengths, so code that pattern-matches them works. */
export const newId = {
  checkoutSession: () => `cs_test_a1${randomString(56)}`,
  paymentIntent: () => `pi_3${randomString(23)}`,
  charge: () => `ch_3${randomString(23)}`,
  paymentMethod: () => `pm_1${randomString(23)}`,
  balanceTransaction: () => `txn_3${randomString(23)}`,
  customer: () => `cus_${randomString(14)}`,
  product: () => `prod_${randomString(14)}`,
  price: () => `price_1${randomString(23)}`,
  lineItem: () => `li_1${randomString(23)}`,
  subscription: () => `sub_1${randomString(23)}`,
  subscriptionItem: () => `si_${randomString(14)}`,
  invoice: () => `in_1${randomString(23)}`,
  invoiceLine: () => `il_1${randomString(23)}`,
  invoiceItem: () => `ii_1${randomString(23)}`,
  invoicePayment: () => `inpay_1${randomString(23)}`,
  refund: () => `re_3${randomString(23)}`,
  dispute: () => `dp_1${randomString(23)}`,
  payout: () => `po_1${randomString(23)}`,
  bankAccount: () => `ba_1${randomString(23)}`,
  portalSession: () => `bps_1${randomString(23)}`,
  portalConfiguration: () => `bpc_1${randomString(23)}`,
  event: () => `evt_1${randomString(23)}`,
  request: () => `req_${randomString(14)}`,
  clientSecret: (id: string) => `${id}_secret_${randomString(24)}`,
  fingerprint: () => randomString(16),
};
