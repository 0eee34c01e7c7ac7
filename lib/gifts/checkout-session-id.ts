/** A Stripe Checkout Session id as it appears in our URLs. */
export const CHECKOUT_SESSION_ID = /^cs_(test|live)_[A-Za-z0-9]{10,200}$/;
