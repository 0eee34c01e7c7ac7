import type Stripe from "stripe";
import { newId } from "./ids";

/**
 * Builders for the objects the stand-in serves, typed as the SDK's own types for the pinned API
 * version (2026-10-28.endive), so the compiler checks every field we return. Field sets and values
 * follow Stripe's published fixtures.
 */

const emptyAddress = (): Stripe.Address => ({
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
});

export function buildProduct(input: {
  name: string;
  description?: string | null;
  metadata?: Stripe.Metadata;
  statementDescriptor?: string | null;
  now: number;
}): Stripe.Product {
  return {
    id: newId.product(),
    object: "product",
    active: true,
    created: input.now,
    default_price: null,
    description: input.description ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata ?? {},
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: input.statementDescriptor ?? null,
    tax_code: null,
    tax_details: null,
    type: "service",
    unit_label: null,
    updated: input.now,
    url: null,
  };
}

export function buildPrice(input: {
  product: string;
  currency: string;
  unitAmount: number;
  recurring?: { interval: Stripe.Price.Recurring.Interval; interval_count: number } | null;
  now: number;
}): Stripe.Price {
  return {
    id: newId.price(),
    object: "price",
    active: false, // inline prices made from price_data are inactive, as on Stripe
    billing_scheme: "per_unit",
    created: input.now,
    currency: input.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: input.product,
    recurring: input.recurring
      ? { interval: input.recurring.interval, interval_count: input.recurring.interval_count, meter: null, trial_period_days: null, usage_type: "licensed" }
      : null,
    tax_behavior: "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    type: input.recurring ? "recurring" : "one_time",
    unit_amount: input.unitAmount,
    // The wire carries decimals as strings; the SDK's Decimal type is a parsed form of that string.
    unit_amount_decimal: String(input.unitAmount) as unknown as Stripe.Price["unit_amount_decimal"],
  };
}

export function buildLineItem(input: { price: Stripe.Price; quantity: number; description: string }): Stripe.LineItem {
  const amount = (input.price.unit_amount ?? 0) * input.quantity;

  return {
    id: newId.lineItem(),
    object: "item",
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: input.price.currency,
    description: input.description,
    metadata: {},
    price: input.price,
    quantity: input.quantity,
  };
}

export function buildCheckoutSession(input: {
  id: string;
  mode: Stripe.Checkout.Session.Mode;
  amountTotal: number;
  currency: string;
  submitType: Stripe.Checkout.Session.SubmitType | null;
  customer: string | null;
  customerCreation: Stripe.Checkout.Session.CustomerCreation | null;
  customerEmail: string | null;
  clientReferenceId: string | null;
  metadata: Stripe.Metadata;
  successUrl: string | null;
  cancelUrl: string | null;
  locale: Stripe.Checkout.Session.Locale | null;
  expiresAt: number;
  url: string;
  now: number;
}): Stripe.Checkout.Session {
  return {
    id: input.id,
    object: "checkout.session",
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: input.amountTotal,
    amount_total: input.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: input.now,
    currency: input.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: input.customer,
    customer_account: null,
    customer_creation: input.customerCreation,
    customer_details: null,
    customer_email: input.customerEmail,
    discounts: [],
    expires_at: input.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: input.mode === "payment" ? { enabled: false, invoice_data: emptyInvoiceData() } : null,
    livemode: false,
    locale: input.locale,
    managed_payments: null,
    metadata: input.metadata,
    mode: input.mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: input.mode === "subscription" ? "always" : null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: "automatic" } },
    payment_method_types: ["card"],
    payment_status: "unpaid",
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: "open",
    submit_type: input.submitType,
    subscription: null,
    success_url: input.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: "hosted_page",
    url: input.url,
    wallet_options: null,
  };
}

function emptyInvoiceData(): Stripe.Checkout.Session.InvoiceCreation.InvoiceData {
  return {
    account_tax_ids: null,
    custom_fields: null,
    description: null,
    footer: null,
    issuer: null,
    metadata: null,
    rendering_options: null,
  };
}

export function buildCustomer(input: { email: string; name: string | null; now: number; metadata?: Stripe.Metadata }): Stripe.Customer {
  return {
    id: newId.customer(),
    object: "customer",
    address: null,
    balance: 0,
    created: input.now,
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: input.email,
    invoice_prefix: newId.fingerprint().slice(0, 8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: input.metadata ?? {},
    name: input.name,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
  };
}

export function buildPaymentIntent(input: {
  amount: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Stripe.Metadata;
  receiptEmail: string | null;
  statementDescriptorSuffix: string | null;
  /** The whole descriptor, as an invoice's PaymentIntent takes it from the product. */
  statementDescriptor?: string | null;
  setupFutureUsage: Stripe.PaymentIntent.SetupFutureUsage | null;
  now: number;
}): Stripe.PaymentIntent {
  const id = newId.paymentIntent();

  return {
    id,
    object: "payment_intent",
    allowed_payment_method_types: null,
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: "automatic_async",
    client_secret: newId.clientSecret(id),
    confirmation_method: "automatic",
    created: input.now,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    description: input.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" },
    },
    payment_method_types: ["card"],
    payment_record: null,
    processing: null,
    receipt_email: input.receiptEmail,
    review: null,
    setup_future_usage: input.setupFutureUsage,
    shipping: null,
    source: null,
    statement_descriptor: input.statementDescriptor ?? null,
    statement_descriptor_suffix: input.statementDescriptorSuffix,
    status: "requires_payment_method",
    transfer_data: null,
    transfer_group: null,
  };
}

export type CardDetails = {
  number: string;
  brand: string;
  funding: "credit" | "debit" | "prepaid";
  country: string;
  expMonth: number;
  expYear: number;
  fingerprint: string;
};

/**
 * What the card statement shows: the PaymentIntent's whole descriptor when it has one (a
 * subscription's, from its product), else the account's shortened descriptor and the suffix,
 * as Stripe joins them, cut at Stripe's 22 characters.
 */
export function calculatedStatementDescriptor(pi: Stripe.PaymentIntent): string {
  const SHORTENED = "READERFUND";
  if (pi.statement_descriptor) return pi.statement_descriptor.slice(0, 22);

  return (pi.statement_descriptor_suffix ? `${SHORTENED}* ${pi.statement_descriptor_suffix}` : SHORTENED).slice(0, 22).toUpperCase();
}

export function buildCharge(input: {
  paymentIntent: Stripe.PaymentIntent;
  paymentMethodId: string;
  card: CardDetails;
  billing: { email: string | null; name: string | null };
  failure: { code: string; declineCode: string; message: string; outcomeType: "issuer_declined" | "blocked" } | null;
  now: number;
}): Stripe.Charge {
  const { paymentIntent: pi, failure } = input;
  const succeeded = failure === null;

  return {
    id: newId.charge(),
    object: "charge",
    amount: pi.amount,
    amount_captured: succeeded ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: emptyAddress(), email: input.billing.email, name: input.billing.name, phone: null, tax_id: null },
    calculated_statement_descriptor: calculatedStatementDescriptor(pi),
    captured: succeeded,
    created: input.now,
    currency: pi.currency,
    customer: typeof pi.customer === "string" ? pi.customer : (pi.customer?.id ?? null),
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: pi.metadata,
    on_behalf_of: null,
    outcome: succeeded
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: "approved_by_network",
          reason: null,
          risk_level: "normal",
          risk_score: 20,
          seller_message: "Payment complete.",
          type: "authorized",
        }
      : {
          advice_code: failure.outcomeType === "blocked" ? "do_not_try_again" : "try_again_later",
          network_advice_code: null,
          network_decline_code: null,
          network_status: failure.outcomeType === "blocked" ? "not_sent_to_network" : "declined_by_network",
          reason: failure.outcomeType === "blocked" ? "highest_risk_level" : failure.declineCode,
          risk_level: failure.outcomeType === "blocked" ? "highest" : "normal",
          risk_score: failure.outcomeType === "blocked" ? 95 : 30,
          seller_message:
            failure.outcomeType === "blocked" ? "Stripe blocked this payment as too risky." : "The bank did not return any further details with this decline.",
          type: failure.outcomeType,
        },
    paid: succeeded,
    payment_intent: pi.id,
    payment_method: input.paymentMethodId,
    payment_method_details: {
      card: {
        amount_authorized: succeeded ? pi.amount : null,
        authorization_code: succeeded ? "123456" : null,
        brand: input.card.brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: input.card.country,
        electronic_commerce_indicator: null,
        exp_month: input.card.expMonth,
        exp_year: input.card.expYear,
        extended_authorization: { status: "disabled" },
        fingerprint: input.card.fingerprint,
        funding: input.card.funding,
        incremental_authorization: { status: "unavailable" },
        installments: null,
        last4: input.card.number.slice(-4),
        mandate: null,
        multicapture: { status: "unavailable" },
        network: input.card.brand,
        network_token: { used: false },
        network_transaction_id: succeeded ? newId.fingerprint() : null,
        overcapture: { maximum_amount_capturable: pi.amount, status: "unavailable" },
        regulated_status: "unregulated",
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: "card",
    },
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    // `refunds` is includable since 2022-11-15: present only with expand[]=refunds.
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: succeeded ? "succeeded" : "failed",
    transfer_data: null,
    transfer_group: null,
  };
}

export function buildBalanceTransaction(input: { charge: Stripe.Charge; fee: number; now: number }): Stripe.BalanceTransaction {
  const { charge, fee } = input;

  return buildMovement({
    amount: charge.amount,
    currency: charge.currency,
    fee,
    feeDescription: "Stripe processing fees",
    description: charge.description,
    source: charge.id,
    type: "charge",
    reportingCategory: "charge",
    now: input.now,
  });
}

const DAY_SECONDS = 24 * 60 * 60;

/** Business days a balance transaction waits before it can be paid out: Stripe's standard (US) payout speed. */
export const PAYOUT_DELAY_BUSINESS_DAYS = 2;

function isWeekend(day: number): boolean {
  const weekday = new Date(day * DAY_SECONDS * 1000).getUTCDay();

  return weekday === 0 || weekday === 6;
}

/**
 * The first midnight (UTC) that is `count` business days after the day of `unix`, a weekend day
 * counting as the Monday after it, as Stripe counts its payout speed. Bank holidays are not known.
 */
export function businessDaysAfter(unix: number, count: number): number {
  let day = Math.floor(unix / DAY_SECONDS);
  while (isWeekend(day)) day++;
  for (let counted = 0; counted < count; ) {
    day++;
    if (!isWeekend(day)) counted++;
  }

  return day * DAY_SECONDS;
}

/** When funds that moved at `unix` can be paid out: midnight UTC, PAYOUT_DELAY_BUSINESS_DAYS business days on. */
export function availableOn(unix: number): number {
  return businessDaysAfter(unix, PAYOUT_DELAY_BUSINESS_DAYS);
}

/** Any balance transaction: a charge, a refund (negative, fee 0), a dispute's withdrawal or reinstatement. */
export function buildMovement(input: {
  amount: number;
  currency: string;
  fee: number;
  feeDescription: string;
  description: string | null;
  source: string;
  type: Stripe.BalanceTransaction.Type;
  reportingCategory: string;
  now: number;
}): Stripe.BalanceTransaction {
  return {
    id: newId.balanceTransaction(),
    object: "balance_transaction",
    amount: input.amount,
    available_on: availableOn(input.now),
    balance_type: "payments",
    created: input.now,
    currency: input.currency,
    description: input.description,
    exchange_rate: null,
    fee: input.fee,
    fee_details:
      input.fee === 0
        ? []
        : [{ amount: input.fee, application: null, currency: input.currency, description: input.feeDescription, type: "stripe_fee" }],
    net: input.amount - input.fee,
    reporting_category: input.reportingCategory,
    source: input.source,
    status: "pending",
    type: input.type,
  };
}

export function buildPaymentMethod(input: {
  card: CardDetails;
  billing: { email: string | null; name: string | null };
  customer: string | null;
  now: number;
}): Stripe.PaymentMethod {
  const { card } = input;

  return {
    id: newId.paymentMethod(),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: { ...emptyAddress(), country: card.country }, email: input.billing.email, name: input.billing.name, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
      country: card.country,
      display_brand: card.brand,
      exp_month: card.expMonth,
      exp_year: card.expYear,
      fingerprint: card.fingerprint,
      funding: card.funding,
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      regulated_status: "unregulated",
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: input.now,
    customer: input.customer,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: "card",
  };
}

/** An automatic payout of the available balance to the account's bank account, as Stripe makes it: pending at first. */
export function buildPayout(input: { amount: number; currency: string; destination: string; arrivalDate: number; now: number }): Stripe.Payout {
  return {
    id: newId.payout(),
    object: "payout",
    amount: input.amount,
    application_fee: null,
    application_fee_amount: null,
    arrival_date: input.arrivalDate,
    automatic: true,
    balance_transaction: null,
    created: input.now,
    currency: input.currency,
    description: "STRIPE PAYOUT",
    destination: input.destination,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: {},
    method: "standard",
    original_payout: null,
    payout_method: null,
    reconciliation_status: "in_progress",
    reversed_by: null,
    source_type: "card",
    statement_descriptor: null,
    status: "pending",
    trace_id: { status: "pending", value: null },
    type: "bank_account",
  };
}
