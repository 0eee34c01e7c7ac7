import type Stripe from "stripe";
import { newId } from "./ids";

/**
 * Builders for Billing's objects (subscriptions, invoices, invoice payments), refunds, disputes and
 * portal sessions, typed as the SDK's own types for 2026-10-28.endive so the compiler checks every
 * field. Shapes are basil and later: periods live on subscription items, an invoice reaches its
 * subscription through `parent.subscription_details` and its payments through InvoicePayment.
 */

type Decimal = NonNullable<Stripe.Price["unit_amount_decimal"]>;
// The wire carries decimals as strings; the SDK's Decimal type is a parsed form of that string.
const decimal = (value: number) => String(value) as unknown as Decimal;

export type Interval = Stripe.Price.Recurring.Interval;

export function buildPlan(price: Stripe.Price): Stripe.Plan {
  const recurring = price.recurring!;

  return {
    id: price.id,
    object: "plan",
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: "per_unit",
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: "licensed",
  };
}

export function buildSubscriptionItem(input: {
  subscription: string;
  price: Stripe.Price;
  quantity: number;
  periodStart: number;
  periodEnd: number;
  now: number;
}): Stripe.SubscriptionItem {
  return {
    id: newId.subscriptionItem(),
    object: "subscription_item",
    billing_thresholds: null,
    created: input.now,
    current_period_end: input.periodEnd,
    current_period_start: input.periodStart,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: buildPlan(input.price),
    price: input.price,
    quantity: input.quantity,
    subscription: input.subscription,
    tax_rates: [],
  };
}

export function buildSubscription(input: {
  id: string;
  customer: string;
  currency: string;
  item: Stripe.SubscriptionItem;
  defaultPaymentMethod: string | null;
  description: string | null;
  metadata: Stripe.Metadata;
  latestInvoice: string | null;
  now: number;
}): Stripe.Subscription {
  return {
    id: input.id,
    object: "subscription",
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: input.item.current_period_start,
    billing_cycle_anchor_config: null,
    // New subscriptions default to flexible billing since clover.
    billing_mode: { flexible: { proration_discounts: "included" }, type: "flexible" },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: "charge_automatically",
    created: input.now,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: input.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: input.description,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: "self" } },
    items: { object: "list", data: [input.item], has_more: false, url: `/v1/subscription_items?subscription=${input.id}` },
    latest_invoice: input.latestInvoice,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: input.now,
    status: "active",
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: "create_invoice" } },
    trial_start: null,
  };
}

/** The line a subscription item puts on its invoice for one service period. */
export function buildSubscriptionLine(input: {
  invoice: string;
  subscription: Stripe.Subscription;
  item: Stripe.SubscriptionItem;
  productName: string;
  period: { start: number; end: number };
}): Stripe.InvoiceLineItem {
  const { item, subscription } = input;
  const quantity = item.quantity ?? 1;
  const amount = (item.price.unit_amount ?? 0) * quantity;

  return {
    id: newId.invoiceLine(),
    object: "line_item",
    amount,
    currency: item.price.currency,
    description: `${quantity} × ${input.productName}`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: input.invoice,
    livemode: false,
    // Subscription lines carry the subscription's metadata as it was when the invoice was made.
    metadata: { ...subscription.metadata },
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: subscription.id,
        subscription_item: item.id,
      },
      type: "subscription_item_details",
    },
    period: { start: input.period.start, end: input.period.end },
    pretax_credit_amounts: [],
    pricing: {
      price_details: { price: item.price.id, product: item.price.product as string },
      type: "price_details",
      unit_amount_decimal: item.price.unit_amount_decimal,
    },
    quantity,
    quantity_decimal: decimal(quantity),
    subscription: subscription.id,
    subtotal: amount,
    taxes: [],
  };
}

/** A proration: credit for unused time on the old price (negative) or charge for the rest on the new. */
export function buildProrationItem(input: {
  customer: string;
  subscription: string;
  subscriptionItem: string;
  price: Stripe.Price;
  amount: number;
  description: string;
  period: { start: number; end: number };
  now: number;
}): Stripe.InvoiceItem {
  return {
    id: newId.invoiceItem(),
    object: "invoiceitem",
    amount: input.amount,
    currency: input.price.currency,
    customer: input.customer,
    customer_account: null,
    date: input.now,
    description: input.description,
    discountable: false,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: {},
    parent: { subscription_details: { subscription: input.subscription, subscription_item: input.subscriptionItem }, type: "subscription_details" },
    period: input.period,
    pricing: {
      price_details: { price: input.price.id, product: input.price.product as string },
      type: "price_details",
      unit_amount_decimal: decimal(input.amount),
    },
    proration: true,
    proration_details: { credited_items: null, discount_amounts: [] },
    quantity: 1,
    quantity_decimal: decimal(1),
    tax_rates: [],
    test_clock: null,
  };
}

export function buildProrationLine(input: { invoice: string; item: Stripe.InvoiceItem }): Stripe.InvoiceLineItem {
  const { item } = input;
  const subscription = item.parent?.subscription_details?.subscription ?? null;

  return {
    id: newId.invoiceLine(),
    object: "line_item",
    amount: item.amount,
    currency: item.currency,
    description: item.description,
    discount_amounts: [],
    discountable: false,
    discounts: [],
    invoice: input.invoice,
    livemode: false,
    metadata: {},
    parent: {
      invoice_item_details: { invoice_item: item.id, proration: true, proration_details: { credited_items: null }, subscription },
      subscription_item_details: null,
      type: "invoice_item_details",
    },
    period: { ...item.period },
    pretax_credit_amounts: [],
    pricing: item.pricing,
    quantity: 1,
    quantity_decimal: decimal(1),
    subscription,
    subtotal: item.amount,
    taxes: [],
  };
}

export function buildInvoice(input: {
  id: string;
  customer: Stripe.Customer;
  subscription: Stripe.Subscription;
  billingReason: Stripe.Invoice.BillingReason;
  lines: Stripe.InvoiceLineItem[];
  /** What invoice.period_* means on Stripe: the period *before* this invoice (usage billed in arrears). */
  period: { start: number; end: number };
  now: number;
}): Stripe.Invoice {
  const total = input.lines.reduce((sum, line) => sum + line.amount, 0);

  return {
    id: input.id,
    object: "invoice",
    account_country: "US",
    account_name: "Readerfund",
    account_tax_ids: null,
    amount_due: Math.max(0, total),
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: Math.max(0, total),
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: input.billingReason,
    collection_method: "charge_automatically",
    created: input.now,
    currency: input.subscription.currency,
    custom_fields: null,
    customer: input.customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: input.customer.email,
    customer_name: input.customer.name ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: "none",
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: input.lines, has_more: false, url: `/v1/invoices/${input.id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: { ...input.subscription.metadata }, subscription: input.subscription.id },
      type: "subscription_details",
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: input.period.end,
    period_start: input.period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}

export function buildInvoicePayment(input: { invoice: Stripe.Invoice; paymentIntent: string; now: number }): Stripe.InvoicePayment {
  return {
    id: newId.invoicePayment(),
    object: "invoice_payment",
    amount_paid: null,
    amount_requested: input.invoice.amount_remaining,
    created: input.now,
    currency: input.invoice.currency,
    invoice: input.invoice.id,
    is_default: true,
    livemode: false,
    payment: { payment_intent: input.paymentIntent, type: "payment_intent" },
    status: "open",
    status_transitions: { canceled_at: null, paid_at: null },
  };
}

export function buildRefund(input: {
  charge: Stripe.Charge;
  amount: number;
  reason: Stripe.Refund.Reason | null;
  metadata: Stripe.Metadata;
  now: number;
}): Stripe.Refund {
  const { charge } = input;

  return {
    id: newId.refund(),
    object: "refund",
    amount: input.amount,
    balance_transaction: null,
    charge: charge.id,
    created: input.now,
    currency: charge.currency,
    customer: typeof charge.customer === "string" ? charge.customer : (charge.customer?.id ?? null),
    customer_account: null,
    destination_details: { card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" }, type: "card" },
    metadata: input.metadata,
    payment_intent: typeof charge.payment_intent === "string" ? charge.payment_intent : (charge.payment_intent?.id ?? null),
    payment_method: typeof charge.payment_method === "string" ? charge.payment_method : null,
    reason: input.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: "succeeded",
    transfer_reversal: null,
  };
}

export function buildDispute(input: { charge: Stripe.Charge; amount: number; reason: string; now: number }): Stripe.Dispute {
  const { charge } = input;
  const card = charge.payment_method_details?.card;
  const sevenDays = 7 * 24 * 60 * 60;

  return {
    id: newId.dispute(),
    object: "dispute",
    amount: input.amount,
    balance_transactions: [],
    charge: charge.id,
    created: input.now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: {
      access_activity_log: null,
      billing_address: null,
      cancellation_policy: null,
      cancellation_policy_disclosure: null,
      cancellation_rebuttal: null,
      customer_communication: null,
      customer_email_address: null,
      customer_name: null,
      customer_purchase_ip: null,
      customer_signature: null,
      duplicate_charge_documentation: null,
      duplicate_charge_explanation: null,
      duplicate_charge_id: null,
      enhanced_evidence: {},
      product_description: null,
      receipt: null,
      refund_policy: null,
      refund_policy_disclosure: null,
      refund_refusal_explanation: null,
      service_date: null,
      service_documentation: null,
      shipping_address: null,
      shipping_carrier: null,
      shipping_date: null,
      shipping_documentation: null,
      shipping_tracking_number: null,
      uncategorized_file: null,
      uncategorized_text: null,
    },
    evidence_details: {
      // Evidence is due by the end of the day a week from now (card networks give 7–21 days).
      due_by: Math.floor((input.now + sevenDays) / 86_400) * 86_400 + 86_399,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: "not_submitted",
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: null,
    payment_intent: typeof charge.payment_intent === "string" ? charge.payment_intent : (charge.payment_intent?.id ?? null),
    payment_method_details: card
      ? { card: { brand: card.brand ?? "visa", case_type: "chargeback", network: card.network ?? "visa", network_reason_code: null }, type: "card" }
      : undefined,
    reason: input.reason,
    status: "needs_response",
  };
}

export function buildPortalSession(input: {
  id: string;
  configuration: string;
  customer: string;
  returnUrl: string | null;
  flow: Stripe.BillingPortal.Session.Flow | null;
  locale: Stripe.BillingPortal.Session.Locale | null;
  url: string;
  now: number;
}): Stripe.BillingPortal.Session {
  return {
    id: input.id,
    object: "billing_portal.session",
    configuration: input.configuration,
    created: input.now,
    customer: input.customer,
    customer_account: null,
    flow: input.flow,
    livemode: false,
    locale: input.locale,
    on_behalf_of: null,
    return_url: input.returnUrl,
    url: input.url,
  };
}
