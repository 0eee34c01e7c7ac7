/**
 * Stripe's documented test cards (docs.stripe.com/testing) and what each does when charged.
 * Any other number that passes the Luhn check is refused as a real card in test mode.
 */
export type CardOutcome =
  | { kind: "succeed" }
  | { kind: "decline"; declineCode: string; code: string; message: string; outcomeType?: "issuer_declined" | "blocked" }
  | { kind: "authenticate" };

export type TestCard = {
  brand: string;
  funding: "credit" | "debit" | "prepaid";
  country: string;
  /** A payment the cardholder makes in person: Checkout in payment mode, the hosted invoice page. */
  outcome: CardOutcome;
  /** The first payment of a subscription in Checkout; `outcome` when absent. */
  signupOutcome?: CardOutcome;
  /** A charge made without the cardholder (renewals, retries); see offSessionOutcome. */
  offSessionOutcome?: CardOutcome;
};

const declined = (declineCode: string, message = "Your card was declined.", code = "card_declined") =>
  ({ kind: "decline", declineCode, code, message }) as const;

export const TEST_CARDS: Record<string, TestCard> = {
  "4242424242424242": { brand: "visa", funding: "credit", country: "US", outcome: { kind: "succeed" } },
  "4000056655665556": { brand: "visa", funding: "debit", country: "US", outcome: { kind: "succeed" } },
  "5555555555554444": { brand: "mastercard", funding: "credit", country: "US", outcome: { kind: "succeed" } },
  "378282246310005": { brand: "amex", funding: "credit", country: "US", outcome: { kind: "succeed" } },
  "4000002760000016": { brand: "visa", funding: "credit", country: "DE", outcome: { kind: "succeed" } },
  "4000008260000000": { brand: "visa", funding: "credit", country: "GB", outcome: { kind: "succeed" } },
  "4000000000000002": { brand: "visa", funding: "credit", country: "US", outcome: declined("generic_decline") },
  "4000000000009995": {
    brand: "visa",
    funding: "credit",
    country: "US",
    outcome: declined("insufficient_funds", "Your card has insufficient funds."),
  },
  "4000000000009987": { brand: "visa", funding: "credit", country: "US", outcome: declined("lost_card") },
  "4000000000009979": { brand: "visa", funding: "credit", country: "US", outcome: declined("stolen_card") },
  "4000000000000069": {
    brand: "visa",
    funding: "credit",
    country: "US",
    outcome: declined("expired_card", "Your card has expired.", "expired_card"),
  },
  "4000000000000127": {
    brand: "visa",
    funding: "credit",
    country: "US",
    outcome: declined("incorrect_cvc", "Your card's security code is incorrect.", "incorrect_cvc"),
  },
  "4000000000000119": {
    brand: "visa",
    funding: "credit",
    country: "US",
    outcome: declined("processing_error", "An error occurred while processing your card. Try again in a little bit.", "processing_error"),
  },
  // Stripe: attaches to a customer, but every charge fails. The stand-in lets the first payment of a
  // subscription in Checkout succeed, so that tests get a subscription whose renewals fail.
  "4000000000000341": {
    brand: "visa",
    funding: "credit",
    country: "US",
    outcome: declined("generic_decline"),
    signupOutcome: { kind: "succeed" },
  },
  // Radar: always blocked.
  "4100000000000019": {
    brand: "visa",
    funding: "credit",
    country: "US",
    outcome: { ...declined("fraudulent"), outcomeType: "blocked" },
  },
  // 3D Secure required on this payment; once set up, off-session charges go through.
  "4000002500003155": { brand: "visa", funding: "credit", country: "US", outcome: { kind: "authenticate" } },
  "4000000000003220": { brand: "visa", funding: "credit", country: "US", outcome: { kind: "authenticate" } },
  // 3D Secure required on every payment, off-session renewals included.
  "4000002760003184": {
    brand: "visa",
    funding: "credit",
    country: "DE",
    outcome: { kind: "authenticate" },
    offSessionOutcome: { kind: "authenticate" },
  },
};

/**
 * What a charge without the cardholder does: as stated on the card, else as on-session, except that
 * a card that asked for 3D Secure when it was set up is not asked again (Stripe's exemption).
 */
export function offSessionOutcome(card: TestCard): CardOutcome {
  if (card.offSessionOutcome) return card.offSessionOutcome;

  return card.outcome.kind === "authenticate" ? { kind: "succeed" } : card.outcome;
}

/** Stripe's decline for a charge the stand-in is told to fail (control API `next_renewal`). */
export const FORCED_DECLINE: CardOutcome = declined("generic_decline");

export function normaliseCardNumber(input: string): string {
  return input.replace(/[\s-]/g, "");
}

export function passesLuhn(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = Number(digits[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }

  return sum % 10 === 0;
}

export type CardCheck =
  | { ok: true; number: string; card: TestCard }
  | { ok: false; code: string; message: string; param: string };

/** What Checkout's own form would refuse before any charge is attempted. */
export function checkCard(input: { number: string; expiry?: string; cvc?: string }, nowUnix: number): CardCheck {
  const number = normaliseCardNumber(input.number);
  if (!passesLuhn(number)) return { ok: false, code: "incorrect_number", message: "Your card number is invalid.", param: "number" };
  if (input.expiry !== undefined) {
    const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(input.expiry);
    if (!match) return { ok: false, code: "invalid_expiry_month", message: "Your card's expiration date is incomplete.", param: "exp" };
    const month = Number(match[1]);
    const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
    const now = new Date(nowUnix * 1000);
    if (month < 1 || month > 12) return { ok: false, code: "invalid_expiry_month", message: "Your card's expiration month is invalid.", param: "exp" };
    if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)) {
      return { ok: false, code: "invalid_expiry_year", message: "Your card's expiration year is in the past.", param: "exp" };
    }
  }
  if (input.cvc !== undefined && !/^\d{3,4}$/.test(input.cvc.trim())) {
    return { ok: false, code: "invalid_cvc", message: "Your card's security code is incomplete.", param: "cvc" };
  }
  const card = TEST_CARDS[number];
  if (!card) {
    return {
      ok: false,
      code: "card_declined",
      message: "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
      param: "number",
    };
  }

  return { ok: true, number, card };
}
