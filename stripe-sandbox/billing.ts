import type Stripe from "stripe";
import {
  buildInvoice,
  buildInvoicePayment,
  buildPlan,
  buildProrationItem,
  buildProrationLine,
  buildSubscription,
  buildSubscriptionItem,
  buildSubscriptionLine,
  type Interval,
} from "./billing-objects";
import { type CardOutcome, checkCard, FORCED_DECLINE, offSessionOutcome } from "./cards";
import { MAXIMUM_CHARGE, recurringParam } from "./checkout";
import { ApiError, invalidRequest, missingParam, noSuch } from "./errors";
import { newId } from "./ids";
import { buildPaymentIntent, buildPrice } from "./objects";
import {
  assertKnownParams,
  getParam,
  isCleared,
  metadataUpdate,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  type Params,
} from "./params";
import { AUTOMATIC, cardDetails, clone, type Decline, type Payer, type RequestContext, type Sandbox } from "./sandbox";

const HOUR = 60 * 60;
const DAY = 24 * HOUR;

/** A renewal's draft invoice is finalized and charged this long after it is created, as on Stripe. */
export const FINALIZE_AFTER_SECONDS = HOUR;
/**
 * The stand-in's fixed retry schedule for a failed automatic charge, in days after the previous
 * attempt: four attempts in all (first + 3 retries), then the invoice is marked uncollectible and
 * the subscription canceled. (Stripe's Smart Retries choose their own times within a window.)
 */
export const RETRY_AFTER_DAYS = [3, 5, 7] as const;
export const MAX_AUTOMATIC_ATTEMPTS = RETRY_AFTER_DAYS.length + 1;

export type RenewalOutcome = "succeed" | "fail" | "authenticate";
export const RENEWAL_OUTCOMES = ["succeed", "fail", "authenticate"] as const;

type SubscriptionRecord = {
  subscription: Stripe.Subscription;
  /** Set through the control API: how the subscription's off-session charges go, whatever the card. */
  renewalOutcome: RenewalOutcome | null;
  /** Proration invoice items waiting for the subscription's next invoice. */
  pendingItems: string[];
};

type InvoiceRecord = {
  invoice: Stripe.Invoice;
  subscriptionId: string;
  paymentIntentId: string | null;
  invoicePaymentId: string | null;
  /** Attempts made by the schedule; attempts after a card update or through the API do not count. */
  automaticAttempts: number;
};

export type InvoicePayResult =
  | { outcome: "succeeded"; invoice: Stripe.Invoice }
  | { outcome: "requires_action"; invoice: Stripe.Invoice }
  | { outcome: "declined"; invoice: Stripe.Invoice; code: string; decline_code: string; message: string }
  | { outcome: "invalid_card"; invoice: Stripe.Invoice; code: string; message: string; param: string };

type AttemptResult = { outcome: "succeeded" } | { outcome: "requires_action" } | { outcome: "declined"; decline: Decline };

type Step = { at: number; order: number; run: () => void };

const UPDATE_PARAMS = [
  "items.*.id",
  "items.*.quantity",
  "items.*.price_data.currency",
  "items.*.price_data.product",
  "items.*.price_data.unit_amount",
  "items.*.price_data.recurring.interval",
  "items.*.price_data.recurring.interval_count",
  "proration_behavior",
  "cancel_at_period_end",
  "cancel_at",
  "pause_collection",
  "pause_collection.behavior",
  "pause_collection.resumes_at",
  "metadata",
  "metadata.*",
  "cancellation_details.comment",
  "cancellation_details.feedback",
  "default_payment_method",
  "description",
  "expand.*",
];

const FEEDBACK = [
  "customer_service",
  "low_quality",
  "missing_features",
  "other",
  "switched_service",
  "too_complex",
  "too_expensive",
  "unused",
] as const;

/** Adds calendar months, keeping the day of the month where the month has it (31 Jan + 1 → 28 Feb). */
function addMonths(unix: number, months: number): number {
  const date = new Date(unix * 1000);
  const target = new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));

  return Math.floor(target.getTime() / 1000);
}

/**
 * The first period boundary after `after` for a billing cycle anchored at `anchor`. Counting from
 * the anchor (not from the last boundary) keeps a 31st-of-the-month anchor on the 31st after February.
 */
export function nextPeriodEnd(anchor: number, interval: Interval, count: number, after: number): number {
  const boundary = (k: number) => {
    switch (interval) {
      case "day":
        return anchor + k * count * DAY;
      case "week":
        return anchor + k * count * 7 * DAY;
      case "year":
        return addMonths(anchor, 12 * k * count);
      default:
        return addMonths(anchor, k * count);
    }
  };
  let k = 1;
  while (boundary(k) <= after) k++;

  return boundary(k);
}

const shortDate = (unix: number) =>
  new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(unix * 1000);

/**
 * Subscriptions and their invoices: creation from Checkout, changes through the API and the portal,
 * and the clock-driven cycle (renewal, finalization an hour later, retries, endings).
 */
export class Billing {
  private readonly subscriptions = new Map<string, SubscriptionRecord>();
  private readonly invoices = new Map<string, InvoiceRecord>();
  private readonly invoiceItems = new Map<string, Stripe.InvoiceItem>();
  private readonly invoicePayments = new Map<string, Stripe.InvoicePayment>();
  private readonly itemOwners = new Map<string, string>(); // si_ → sub_
  private readonly lineOwners = new Map<string, string>(); // il_ → in_
  /** Invoices the clock still has work for: drafts to finalize, open invoices to retry. */
  private readonly scheduled = new Set<string>();

  constructor(private readonly sb: Sandbox) {}

  /**
   * What is saved between runs (see state-file.ts). The clock's work needs nothing else: each step
   * is found from the objects' own times (period ends, cancel_at, an invoice's next attempt).
   */
  snapshot() {
    return {
      subscriptions: [...this.subscriptions],
      invoices: [...this.invoices],
      invoiceItems: [...this.invoiceItems],
      invoicePayments: [...this.invoicePayments],
      itemOwners: [...this.itemOwners],
      lineOwners: [...this.lineOwners],
      scheduled: [...this.scheduled],
    };
  }

  restore(saved: ReturnType<Billing["snapshot"]>): void {
    for (const [id, record] of saved.subscriptions) this.subscriptions.set(id, record);
    for (const [id, record] of saved.invoices) this.invoices.set(id, record);
    for (const [id, item] of saved.invoiceItems) this.invoiceItems.set(id, item);
    for (const [id, payment] of saved.invoicePayments) this.invoicePayments.set(id, payment);
    for (const [id, owner] of saved.itemOwners) this.itemOwners.set(id, owner);
    for (const [id, owner] of saved.lineOwners) this.lineOwners.set(id, owner);
    for (const id of saved.scheduled) {
      if (!this.invoices.has(id)) throw new Error(`saved state schedules work for unknown invoice ${id}`);
      this.scheduled.add(id);
    }
  }

  lookup(id: string): object | undefined {
    if (id.startsWith("sub_")) return this.subscriptions.get(id)?.subscription;
    if (id.startsWith("si_")) {
      const owner = this.itemOwners.get(id);

      return owner ? this.subscriptions.get(owner)?.subscription.items.data.find((item) => item.id === id) : undefined;
    }
    if (id.startsWith("in_")) return this.invoices.get(id)?.invoice;
    if (id.startsWith("il_")) {
      const owner = this.lineOwners.get(id);

      return owner ? this.invoices.get(owner)?.invoice.lines.data.find((line) => line.id === id) : undefined;
    }
    if (id.startsWith("ii_")) return this.invoiceItems.get(id);
    if (id.startsWith("inpay_")) return this.invoicePayments.get(id);

    return undefined;
  }

  // ---- reading ---------------------------------------------------------------------------------

  private getRecord(id: string, param = "id"): SubscriptionRecord {
    const record = this.subscriptions.get(id);
    if (!record) throw noSuch("subscription", id, param);

    return record;
  }

  private getInvoice(id: string, param = "id"): InvoiceRecord {
    const record = this.invoices.get(id);
    if (!record) throw noSuch("invoice", id, param);

    return record;
  }

  retrieve(id: string): Stripe.Subscription {
    return clone(this.getRecord(id).subscription);
  }

  /** Stripe lists subscriptions that are not canceled unless asked for `status=canceled` or `all`. */
  list(filter: { customer?: string; status?: string; limit: number }): Stripe.Subscription[] {
    const all = [...this.subscriptions.values()]
      .map((r) => r.subscription)
      .filter((s) => !filter.customer || s.customer === filter.customer)
      .filter((s) =>
        filter.status === "all" ? true
        : filter.status ? s.status === filter.status
        : s.status !== "canceled" && s.status !== "incomplete_expired",
      )
      .reverse();

    return clone(all.slice(0, filter.limit));
  }

  ofCustomer(customerId: string): Stripe.Subscription[] {
    return clone([...this.subscriptions.values()].map((r) => r.subscription).filter((s) => s.customer === customerId));
  }

  retrieveItem(id: string): Stripe.SubscriptionItem {
    const item = id.startsWith("si_") ? (this.lookup(id) as Stripe.SubscriptionItem | undefined) : undefined;
    if (!item) throw noSuch("subscription_item", id);

    return clone(item);
  }

  retrieveInvoice(id: string): Stripe.Invoice {
    return clone(this.getInvoice(id).invoice);
  }

  listInvoices(filter: { subscription?: string; customer?: string; status?: string; limit: number }): Stripe.Invoice[] {
    const all = [...this.invoices.values()]
      .filter((r) => !filter.subscription || r.subscriptionId === filter.subscription)
      .filter((r) => !filter.customer || r.invoice.customer === filter.customer)
      .filter((r) => !filter.status || r.invoice.status === filter.status)
      .map((r) => r.invoice)
      .reverse();

    return clone(all.slice(0, filter.limit));
  }

  invoiceLines(id: string): Stripe.InvoiceLineItem[] {
    return clone(this.getInvoice(id).invoice.lines.data);
  }

  retrieveInvoiceItem(id: string): Stripe.InvoiceItem {
    const item = this.invoiceItems.get(id);
    if (!item) throw noSuch("invoiceitem", id);

    return clone(item);
  }

  /** An invoice's payments, oldest first: what `expand[]=payments` includes. */
  paymentsOf(invoiceId: string): Stripe.InvoicePayment[] {
    return clone([...this.invoicePayments.values()].filter((p) => p.invoice === invoiceId));
  }

  retrieveInvoicePayment(id: string): Stripe.InvoicePayment {
    const payment = this.invoicePayments.get(id);
    if (!payment) throw noSuch("invoice_payment", id);

    return clone(payment);
  }

  listInvoicePayments(filter: { invoice?: string; paymentIntent?: string; status?: string; limit: number }): Stripe.InvoicePayment[] {
    const all = [...this.invoicePayments.values()]
      .filter((p) => !filter.invoice || p.invoice === filter.invoice)
      .filter((p) => !filter.paymentIntent || p.payment.payment_intent === filter.paymentIntent)
      .filter((p) => !filter.status || p.status === filter.status)
      .reverse();

    return clone(all.slice(0, filter.limit));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private item(subscription: Stripe.Subscription): Stripe.SubscriptionItem {
    return subscription.items.data[0]!;
  }

  private productName(price: Stripe.Price): string {
    return this.sb.products.get(price.product as string)?.name ?? "Subscription";
  }

  private customerOf(subscription: Stripe.Subscription): Stripe.Customer {
    return this.sb.customers.get(subscription.customer as string)!;
  }

  private payer(subscription: Stripe.Subscription): Payer {
    const customer = this.customerOf(subscription);

    return { email: customer.email, name: customer.name ?? null };
  }

  private recordOf(invoice: InvoiceRecord): SubscriptionRecord {
    return this.subscriptions.get(invoice.subscriptionId)!;
  }

  /** Emits customer.subscription.updated with only the attributes that really changed, if any did. */
  private announceUpdate(subscription: Stripe.Subscription, before: Record<string, unknown>, context: RequestContext): void {
    const previous: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(before)) {
      if (JSON.stringify(value) !== JSON.stringify(subscription[key as keyof Stripe.Subscription])) previous[key] = value;
    }
    if (Object.keys(previous).length > 0) this.sb.emit("customer.subscription.updated", subscription, context, previous);
  }

  // ---- Checkout --------------------------------------------------------------------------------

  /**
   * The subscription a completed Checkout Session creates (basil+: only after its first payment
   * succeeded): customer.subscription.created, then its first invoice created, finalized and paid
   * by the Checkout payment (invoice.paid, invoice.payment_succeeded, invoice_payment.paid).
   */
  startFromCheckout(input: {
    customer: string;
    price: Stripe.Price;
    quantity: number;
    metadata: Stripe.Metadata;
    description: string | null;
    paymentMethod: string;
    paymentIntent: Stripe.PaymentIntent;
  }): { subscription: Stripe.Subscription; invoice: Stripe.Invoice } {
    const now = this.sb.now();
    const recurring = input.price.recurring!;
    const id = newId.subscription();
    const invoiceId = newId.invoice();
    const item = buildSubscriptionItem({
      subscription: id,
      price: input.price,
      quantity: input.quantity,
      periodStart: now,
      periodEnd: nextPeriodEnd(now, recurring.interval, recurring.interval_count, now),
      now,
    });
    const subscription = buildSubscription({
      id,
      customer: input.customer,
      currency: input.price.currency,
      item,
      defaultPaymentMethod: input.paymentMethod,
      description: input.description,
      metadata: { ...input.metadata },
      latestInvoice: invoiceId,
      now,
    });
    const record: SubscriptionRecord = { subscription, renewalOutcome: null, pendingItems: [] };
    this.subscriptions.set(id, record);
    this.itemOwners.set(item.id, id);
    this.sb.emit("customer.subscription.created", subscription, AUTOMATIC);

    const invoice = this.newInvoice(record, invoiceId, "subscription_create", {
      period: { start: now, end: now },
      servicePeriod: { start: item.current_period_start, end: item.current_period_end },
      autoAdvance: true,
      context: AUTOMATIC,
    });
    // Checkout charged exactly the session's amount: a customer balance is not applied here.
    this.finalize(invoice, { applyBalance: false });
    this.linkPaymentIntent(invoice, input.paymentIntent);
    invoice.invoice.attempt_count = 1;
    invoice.invoice.attempted = true;
    this.markPaid(invoice);

    return { subscription, invoice: invoice.invoice };
  }

  // ---- invoices --------------------------------------------------------------------------------

  /** A new draft invoice for the subscription: its item's line (if any) and pending prorations. */
  private newInvoice(
    record: SubscriptionRecord,
    id: string,
    reason: Stripe.Invoice.BillingReason,
    options: {
      period: { start: number; end: number };
      servicePeriod: { start: number; end: number } | null;
      autoAdvance: boolean;
      finalizeAt?: number;
      context: RequestContext;
    },
  ): InvoiceRecord {
    const { subscription } = record;
    const item = this.item(subscription);
    const lines: Stripe.InvoiceLineItem[] = [];
    if (options.servicePeriod) {
      lines.push(buildSubscriptionLine({ invoice: id, subscription, item, productName: this.productName(item.price), period: options.servicePeriod }));
    }
    for (const itemId of record.pendingItems) {
      const pending = this.invoiceItems.get(itemId)!;
      pending.invoice = id;
      lines.push(buildProrationLine({ invoice: id, item: pending }));
    }
    record.pendingItems = [];
    const invoice = buildInvoice({
      id,
      customer: this.customerOf(subscription),
      subscription,
      billingReason: reason,
      lines,
      period: options.period,
      now: this.sb.now(),
    });
    invoice.auto_advance = options.autoAdvance;
    if (options.finalizeAt !== undefined) {
      invoice.automatically_finalizes_at = options.finalizeAt;
      invoice.next_payment_attempt = options.finalizeAt;
      this.scheduled.add(id);
    }
    const invoiceRecord: InvoiceRecord = { invoice, subscriptionId: subscription.id, paymentIntentId: null, invoicePaymentId: null, automaticAttempts: 0 };
    this.invoices.set(id, invoiceRecord);
    for (const line of lines) this.lineOwners.set(line.id, id);
    this.sb.emit("invoice.created", invoice, options.context);

    return invoiceRecord;
  }

  /**
   * Draft → open: a number, the hosted page, and the customer's balance applied (a credit lowers
   * what is due; an invoice that comes out negative leaves the rest as credit).
   */
  private finalize(record: InvoiceRecord, options: { applyBalance: boolean }, context: RequestContext = AUTOMATIC): void {
    const { invoice } = record;
    const customer = this.sb.customers.get(invoice.customer as string)!;
    const now = this.sb.now();
    const sequence = customer.next_invoice_sequence ?? 1;
    customer.next_invoice_sequence = sequence + 1;
    invoice.status = "open";
    invoice.number = `${customer.invoice_prefix}-${String(sequence).padStart(4, "0")}`;
    invoice.hosted_invoice_url = `${this.sb.options.publicUrl}/i/${invoice.id}`;
    invoice.status_transitions.finalized_at = now;
    invoice.effective_at = now;
    invoice.automatically_finalizes_at = null;
    const starting = options.applyBalance ? customer.balance : 0;
    const net = invoice.total + starting;
    invoice.starting_balance = starting;
    invoice.amount_due = Math.max(0, net);
    invoice.amount_remaining = invoice.amount_due;
    invoice.ending_balance = Math.min(0, net);
    this.sb.emit("invoice.finalized", invoice, context);
    if (options.applyBalance && customer.balance !== invoice.ending_balance) {
      const previous = customer.balance;
      customer.balance = invoice.ending_balance;
      this.sb.emit("customer.updated", customer, context, { balance: previous });
    }
  }

  private linkPaymentIntent(record: InvoiceRecord, pi: Stripe.PaymentIntent): void {
    const payment = buildInvoicePayment({ invoice: record.invoice, paymentIntent: pi.id, now: this.sb.now() });
    this.invoicePayments.set(payment.id, payment);
    record.paymentIntentId = pi.id;
    record.invoicePaymentId = payment.id;
  }

  /** A subscription invoice's charges show its product's descriptor, when the product has one. */
  private statementDescriptorOf(record: InvoiceRecord): string | null {
    const product = record.invoice.lines.data[0]?.pricing?.price_details?.product;

    return (product ? this.sb.products.get(product)?.statement_descriptor : null) ?? null;
  }

  /** The invoice's PaymentIntent, made on its first attempt and reused by every retry. */
  private ensurePaymentIntent(record: InvoiceRecord): Stripe.PaymentIntent {
    if (record.paymentIntentId !== null) return this.sb.paymentIntents.get(record.paymentIntentId)!;
    const { invoice } = record;
    // An invoice's PaymentIntent carries no metadata of ours: it reaches the invoice only through
    // its InvoicePayment.
    const pi = buildPaymentIntent({
      amount: invoice.amount_due,
      currency: invoice.currency,
      customer: invoice.customer as string,
      description: invoice.billing_reason === "subscription_create" ? "Subscription creation" : "Subscription update",
      metadata: {},
      receiptEmail: null,
      statementDescriptorSuffix: null,
      statementDescriptor: this.statementDescriptorOf(record),
      setupFutureUsage: null,
      now: this.sb.now(),
    });
    this.sb.paymentIntents.set(pi.id, pi);
    this.linkPaymentIntent(record, pi);
    this.sb.emit("payment_intent.created", pi, AUTOMATIC);

    return pi;
  }

  private markPaid(record: InvoiceRecord): void {
    const { invoice } = record;
    const now = this.sb.now();
    invoice.status = "paid";
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.status_transitions.paid_at = now;
    invoice.next_payment_attempt = null;
    invoice.automatically_finalizes_at = null;
    this.scheduled.delete(invoice.id);
    this.sb.emit("invoice.paid", invoice, AUTOMATIC);
    this.sb.emit("invoice.payment_succeeded", invoice, AUTOMATIC);
    const payment = record.invoicePaymentId ? this.invoicePayments.get(record.invoicePaymentId) : undefined;
    if (payment) {
      payment.status = "paid";
      payment.amount_paid = invoice.amount_paid;
      payment.status_transitions.paid_at = now;
      this.sb.emit("invoice_payment.paid", payment, AUTOMATIC);
    }
  }

  private markUncollectible(record: InvoiceRecord): void {
    const { invoice } = record;
    invoice.status = "uncollectible";
    invoice.status_transitions.marked_uncollectible_at = this.sb.now();
    invoice.next_payment_attempt = null;
    this.scheduled.delete(invoice.id);
    this.sb.emit("invoice.marked_uncollectible", invoice, AUTOMATIC);
  }

  /** The card and outcome of a charge nobody is present for: the control API's word, else the card's. */
  private automaticCharge(record: SubscriptionRecord): { paymentMethod: string | null; outcome: CardOutcome } {
    const { subscription } = record;
    const paymentMethod =
      (subscription.default_payment_method as string | null) ?? (this.customerOf(subscription).invoice_settings.default_payment_method as string | null);
    const forced: Record<RenewalOutcome, CardOutcome> = { succeed: { kind: "succeed" }, fail: FORCED_DECLINE, authenticate: { kind: "authenticate" } };
    if (record.renewalOutcome) return { paymentMethod, outcome: forced[record.renewalOutcome] };
    if (paymentMethod === null) return { paymentMethod, outcome: FORCED_DECLINE };

    return { paymentMethod, outcome: offSessionOutcome(this.sb.cardOf(paymentMethod).card) };
  }

  /**
   * One attempt to collect an open invoice. Success: charge.succeeded, payment_intent.succeeded,
   * invoice.paid, invoice.payment_succeeded, invoice_payment.paid, the subscription back to active
   * if it was past due, charge.updated. Failure: see afterFailure.
   */
  private attempt(record: InvoiceRecord, input: { paymentMethod: string | null; outcome: CardOutcome; automatic: boolean }): AttemptResult {
    const { invoice } = record;
    const subscription = this.recordOf(record).subscription;
    const before = { attempt_count: invoice.attempt_count, attempted: invoice.attempted, next_payment_attempt: invoice.next_payment_attempt };
    const pi = this.ensurePaymentIntent(record);
    invoice.attempt_count += 1;
    invoice.attempted = true;
    if (input.automatic) record.automaticAttempts += 1;
    const payer = this.payer(subscription);
    const { outcome, paymentMethod } = input;

    if (paymentMethod !== null && outcome.kind === "succeed") {
      const charge = this.sb.succeedCharge(pi, paymentMethod, payer);
      this.markPaid(record);
      this.recover(subscription);
      this.sb.settle(charge);

      return { outcome: "succeeded" };
    }
    if (paymentMethod !== null && outcome.kind === "authenticate") {
      this.sb.requireAction(pi, paymentMethod);
      this.afterFailure(record, input.automatic, "invoice.payment_action_required", before);

      return { outcome: "requires_action" };
    }
    const decline = outcome.kind === "decline" ? outcome : (FORCED_DECLINE as Decline);
    if (paymentMethod !== null) this.sb.failCharge(pi, paymentMethod, payer, decline);
    this.afterFailure(record, input.automatic, "invoice.payment_failed", before);

    return { outcome: "declined", decline };
  }

  /**
   * After a failed or authentication-needing attempt: the next retry on the schedule (automatic
   * attempts only), invoice.payment_failed or invoice.payment_action_required, the subscription
   * active → past_due, invoice.updated; when the schedule is spent, invoice.marked_uncollectible and
   * customer.subscription.deleted (reason payment_failed).
   */
  private afterFailure(
    record: InvoiceRecord,
    automatic: boolean,
    type: "invoice.payment_failed" | "invoice.payment_action_required",
    before: Record<string, unknown>,
  ): void {
    const { invoice } = record;
    const subscriptionRecord = this.recordOf(record);
    const subscription = subscriptionRecord.subscription;
    const exhausted = automatic && record.automaticAttempts >= MAX_AUTOMATIC_ATTEMPTS;
    if (automatic) {
      invoice.next_payment_attempt = exhausted ? null : this.sb.now() + RETRY_AFTER_DAYS[record.automaticAttempts - 1]! * DAY;
      if (exhausted) this.scheduled.delete(invoice.id);
    }
    this.sb.emit(type, invoice, AUTOMATIC);
    if (subscription.status === "active") {
      subscription.status = "past_due";
      this.sb.emit("customer.subscription.updated", subscription, AUTOMATIC, { status: "active" });
    }
    const previous = Object.fromEntries(
      Object.entries(before).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(invoice[key as keyof Stripe.Invoice])),
    );
    this.sb.emit("invoice.updated", invoice, AUTOMATIC, previous);
    if (exhausted && subscription.status !== "canceled") {
      this.markUncollectible(record);
      this.end(subscriptionRecord, { reason: "payment_failed", context: AUTOMATIC });
    }
  }

  /** A past-due subscription whose invoices are all settled is active again. */
  private recover(subscription: Stripe.Subscription): void {
    if (subscription.status !== "past_due") return;
    const stillOwing = [...this.invoices.values()].some((r) => r.subscriptionId === subscription.id && r.invoice.status === "open");
    if (stillOwing) return;
    subscription.status = "active";
    this.sb.emit("customer.subscription.updated", subscription, AUTOMATIC, { status: "past_due" });
  }

  /** Stops automatic collection of the subscription's invoices (it has ended). */
  private stopCollection(subscriptionId: string): void {
    for (const id of [...this.scheduled]) {
      const record = this.invoices.get(id)!;
      if (record.subscriptionId !== subscriptionId) continue;
      record.invoice.auto_advance = false;
      record.invoice.next_payment_attempt = null;
      this.scheduled.delete(id);
    }
  }

  /** The subscription ends now: customer.subscription.deleted. */
  private end(record: SubscriptionRecord, input: { reason: Stripe.Subscription.CancellationDetails.Reason; context: RequestContext }): void {
    const { subscription } = record;
    const now = this.sb.now();
    subscription.status = "canceled";
    subscription.ended_at = now;
    if (input.reason === "payment_failed") {
      subscription.canceled_at = now;
      subscription.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: "payment_failed" };
    } else {
      subscription.canceled_at ??= now;
      subscription.cancellation_details = { ...(subscription.cancellation_details ?? { comment: null, feedback: null, feedback_option: null }), reason: input.reason };
    }
    this.stopCollection(subscription.id);
    this.sb.emit("customer.subscription.deleted", subscription, input.context);
  }

  // ---- the clock's steps -----------------------------------------------------------------------

  /**
   * The earliest billing step due at `now`, or null. At the same second an ending comes before a
   * resumption, which comes before a renewal, so that a subscription canceled at its period end is
   * never renewed.
   */
  nextDueStep(now: number): { at: number; run: () => void } | null {
    let best: Step | null = null;
    const consider = (at: number | null | undefined, order: number, run: () => void) => {
      if (at === null || at === undefined || at > now) return;
      if (best === null || at < best.at || (at === best.at && order < best.order)) best = { at, order, run };
    };
    for (const record of this.subscriptions.values()) {
      const { subscription } = record;
      if (subscription.status === "canceled" || subscription.status === "incomplete_expired") continue;
      consider(subscription.cancel_at, 0, () => this.end(record, { reason: "cancellation_requested", context: AUTOMATIC }));
      consider(subscription.pause_collection?.resumes_at, 1, () => this.resume(record, AUTOMATIC));
      consider(this.item(subscription).current_period_end, 2, () => this.renew(record));
    }
    for (const id of this.scheduled) {
      const record = this.invoices.get(id)!;
      const { invoice } = record;
      if (!invoice.auto_advance) continue;
      if (invoice.status === "draft") consider(invoice.automatically_finalizes_at, 3, () => this.finalizeAndCollect(record));
      else if (invoice.status === "open") consider(invoice.next_payment_attempt, 4, () => this.retry(record));
    }

    return best;
  }

  /**
   * At a period's end: customer.subscription.updated (the item's period moves on), invoice.created
   * (a draft, finalized an hour later). While collection is paused the invoice is voided, kept as a
   * draft or marked uncollectible instead, as `pause_collection.behavior` says.
   */
  private renew(record: SubscriptionRecord): void {
    const { subscription } = record;
    const item = this.item(subscription);
    const recurring = item.price.recurring!;
    const before = { items: clone(subscription.items), latest_invoice: subscription.latest_invoice };
    const previousStart = item.current_period_start;
    const start = item.current_period_end;
    item.current_period_start = start;
    item.current_period_end = nextPeriodEnd(subscription.billing_cycle_anchor, recurring.interval, recurring.interval_count, start);
    const invoiceId = newId.invoice();
    subscription.latest_invoice = invoiceId;
    this.announceUpdate(subscription, before, AUTOMATIC);

    const pause = subscription.pause_collection?.behavior ?? null;
    const invoice = this.newInvoice(record, invoiceId, "subscription_cycle", {
      period: { start: previousStart, end: start },
      servicePeriod: { start, end: item.current_period_end },
      autoAdvance: pause === null,
      finalizeAt: pause === null ? start + FINALIZE_AFTER_SECONDS : undefined,
      context: AUTOMATIC,
    });
    if (pause === "void") {
      invoice.invoice.status = "void";
      invoice.invoice.status_transitions.voided_at = this.sb.now();
      this.sb.emit("invoice.voided", invoice.invoice, AUTOMATIC);
    } else if (pause === "mark_uncollectible") {
      this.finalize(invoice, { applyBalance: true });
      this.markUncollectible(invoice);
    }
  }

  /** An hour after a renewal: invoice.finalized, then the first automatic attempt to collect it. */
  private finalizeAndCollect(record: InvoiceRecord): void {
    this.finalize(record, { applyBalance: true });
    if (record.invoice.amount_due === 0) {
      this.markPaid(record);

      return;
    }
    this.attempt(record, { ...this.automaticCharge(this.recordOf(record)), automatic: true });
  }

  private retry(record: InvoiceRecord): void {
    this.attempt(record, { ...this.automaticCharge(this.recordOf(record)), automatic: true });
  }

  private resume(record: SubscriptionRecord, context: RequestContext): void {
    const before = { pause_collection: clone(record.subscription.pause_collection) };
    record.subscription.pause_collection = null;
    this.announceUpdate(record.subscription, before, context);
  }

  // ---- changes through the API -----------------------------------------------------------------

  /** `POST /v1/subscriptions/:id`. */
  update(id: string, params: Params, context: RequestContext): Stripe.Subscription {
    const record = this.getRecord(id);
    const { subscription } = record;
    assertKnownParams(params, UPDATE_PARAMS);
    const now = this.sb.now();
    if (subscription.status === "canceled") {
      const other = Object.keys(params).find((key) => !["metadata", "cancellation_details", "expand"].includes(key));
      if (other) throw invalidRequest("A canceled subscription can only update its cancellation_details and metadata.", other);
    }

    // Everything is checked before anything changes.
    const priceChange = this.parsePriceChange(params, subscription);
    const proration = optionalEnum(params, "proration_behavior", ["none", "create_prorations", "always_invoice"] as const) ?? "create_prorations";
    const cancelAtPeriodEnd = optionalBoolean(params, "cancel_at_period_end");
    let cancelAt: number | null | undefined;
    if (isCleared(params, "cancel_at")) cancelAt = null;
    else if (getParam(params, "cancel_at") !== undefined) {
      cancelAt = optionalInteger(params, "cancel_at")!;
      if (cancelAt <= now) throw invalidRequest("The cancel_at date must be in the future.", "cancel_at");
    }
    if (cancelAtPeriodEnd !== null && cancelAt !== undefined) {
      throw invalidRequest("You may only specify one of these parameters: cancel_at, cancel_at_period_end.", "cancel_at");
    }
    let pause: Stripe.Subscription.PauseCollection | null | undefined;
    if (isCleared(params, "pause_collection")) pause = null;
    else if (getParam(params, "pause_collection") !== undefined) {
      const behavior = optionalEnum(params, "pause_collection.behavior", ["keep_as_draft", "mark_uncollectible", "void"] as const);
      if (behavior === null) throw missingParam("pause_collection[behavior]");
      const resumesAt = optionalInteger(params, "pause_collection.resumes_at");
      if (resumesAt !== null && resumesAt <= now) throw invalidRequest("resumes_at must be in the future.", "pause_collection[resumes_at]");
      pause = { behavior, resumes_at: resumesAt };
    }
    const metadata = metadataUpdate(params, "metadata", subscription.metadata);
    const comment = getParam(params, "cancellation_details.comment") !== undefined ? optionalString(params, "cancellation_details.comment", 5000) : undefined;
    const feedback = getParam(params, "cancellation_details.feedback") !== undefined ? optionalEnum(params, "cancellation_details.feedback", FEEDBACK) : undefined;
    const defaultPaymentMethod = optionalString(params, "default_payment_method");
    if (defaultPaymentMethod !== null) this.sb.requireAttached(defaultPaymentMethod, subscription.customer as string, "default_payment_method");
    const description = getParam(params, "description") !== undefined ? optionalString(params, "description", 500) : undefined;

    return this.sb.inBurst(() => {
      const before: Record<string, unknown> = {};
      const remember = (...keys: Array<keyof Stripe.Subscription>) => {
        for (const key of keys) if (!(key in before)) before[key] = clone(subscription[key]);
      };
      const item = this.item(subscription);
      const prorations: Stripe.InvoiceItem[] = [];
      let invoiceNow: { id: string; servicePeriod: { start: number; end: number } | null } | null = null;

      if (priceChange) {
        remember("items");
        const oldPrice = item.price;
        const oldQuantity = item.quantity ?? 1;
        // price_data makes a new (inactive) price, as on Stripe; a quantity alone keeps the price.
        const price = priceChange.samePrice
          ? oldPrice
          : buildPrice({ product: priceChange.product, currency: subscription.currency, unitAmount: priceChange.unitAmount, recurring: priceChange.recurring, now });
        this.sb.prices.set(price.id, price);
        const oldRecurring = oldPrice.recurring!;
        const cycleChanges = oldRecurring.interval !== priceChange.recurring.interval || oldRecurring.interval_count !== priceChange.recurring.interval_count;
        if (proration !== "none") {
          prorations.push(...this.prorate(record, oldPrice, oldQuantity, cycleChanges ? null : { price, quantity: priceChange.quantity }));
        }
        item.price = price;
        item.plan = buildPlan(price);
        item.quantity = priceChange.quantity;
        if (cycleChanges) {
          // A new interval restarts the billing cycle now and bills the new period at once.
          remember("billing_cycle_anchor", "latest_invoice", "cancel_at");
          subscription.billing_cycle_anchor = now;
          item.current_period_start = now;
          item.current_period_end = nextPeriodEnd(now, priceChange.recurring.interval, priceChange.recurring.interval_count, now);
          if (subscription.cancel_at_period_end) subscription.cancel_at = item.current_period_end;
          invoiceNow = { id: newId.invoice(), servicePeriod: { start: item.current_period_start, end: item.current_period_end } };
        } else if (proration === "always_invoice") {
          remember("latest_invoice");
          invoiceNow = { id: newId.invoice(), servicePeriod: null };
        }
        if (invoiceNow) subscription.latest_invoice = invoiceNow.id;
      }

      const cancellationDetails = (reason: Stripe.Subscription.CancellationDetails.Reason | null) => ({
        comment: comment !== undefined ? comment : (subscription.cancellation_details?.comment ?? null),
        feedback: feedback !== undefined ? feedback : (subscription.cancellation_details?.feedback ?? null),
        feedback_option: null,
        reason,
      });
      const clearCancellation = () => {
        remember("cancel_at", "cancel_at_period_end", "canceled_at", "cancellation_details");
        subscription.cancel_at = null;
        subscription.cancel_at_period_end = false;
        subscription.canceled_at = null;
        subscription.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: null };
      };
      if (cancelAtPeriodEnd === true && !subscription.cancel_at_period_end) {
        remember("cancel_at", "cancel_at_period_end", "canceled_at", "cancellation_details");
        subscription.cancel_at_period_end = true;
        subscription.cancel_at = item.current_period_end;
        subscription.canceled_at = now;
        subscription.cancellation_details = cancellationDetails("cancellation_requested");
      } else if (cancelAtPeriodEnd === false && (subscription.cancel_at_period_end || subscription.cancel_at !== null)) {
        clearCancellation();
      } else if (typeof cancelAt === "number") {
        remember("cancel_at", "cancel_at_period_end", "canceled_at", "cancellation_details");
        subscription.cancel_at = cancelAt;
        subscription.cancel_at_period_end = false;
        subscription.canceled_at = now;
        subscription.cancellation_details = cancellationDetails("cancellation_requested");
      } else if (cancelAt === null && subscription.cancel_at !== null) {
        clearCancellation();
      }
      if ((comment !== undefined || feedback !== undefined) && !("cancellation_details" in before)) {
        remember("cancellation_details");
        subscription.cancellation_details = cancellationDetails(subscription.cancellation_details?.reason ?? null);
      }
      if (pause !== undefined) {
        remember("pause_collection");
        subscription.pause_collection = pause;
      }
      if (metadata !== null) {
        remember("metadata");
        subscription.metadata = metadata;
      }
      if (defaultPaymentMethod !== null) {
        remember("default_payment_method");
        subscription.default_payment_method = defaultPaymentMethod;
      }
      if (description !== undefined) {
        remember("description");
        subscription.description = description;
      }
      this.announceUpdate(subscription, before, context);

      for (const proration of prorations) this.sb.emit("invoiceitem.created", proration, context);
      if (invoiceNow) {
        const invoice = this.newInvoice(record, invoiceNow.id, "subscription_update", {
          period: { start: now, end: now },
          servicePeriod: invoiceNow.servicePeriod,
          autoAdvance: true,
          context,
        });
        this.finalize(invoice, { applyBalance: true }, context);
        this.scheduled.add(invoice.invoice.id);
        if (invoice.invoice.amount_due === 0) this.markPaid(invoice);
        else this.attempt(invoice, { ...this.automaticCharge(record), automatic: true });
      }

      return clone(subscription);
    });
  }

  private parsePriceChange(
    params: Params,
    subscription: Stripe.Subscription,
  ): { product: string; unitAmount: number; quantity: number; recurring: { interval: Interval; interval_count: number }; samePrice: boolean } | null {
    const items = getParam(params, "items");
    if (items === undefined) return null;
    if (!Array.isArray(items) || items.length !== 1) {
      throw invalidRequest("The Stripe stand-in implements subscriptions with exactly one item: pass items[0] only.", "items");
    }
    const item = this.item(subscription);
    const itemId = optionalString(params, "items.0.id");
    if (itemId === null) throw invalidRequest("The Stripe stand-in only changes the existing item: pass items[0][id].", "items[0][id]", "parameter_missing");
    if (itemId !== item.id) throw noSuch("subscription_item", itemId, "items[0][id]");
    const quantity = optionalInteger(params, "items.0.quantity") ?? item.quantity ?? 1;
    if (quantity < 1) throw invalidRequest("Quantity must be at least 1.", "items[0][quantity]");
    if (getParam(params, "items.0.price_data") === undefined) {
      if (quantity === (item.quantity ?? 1)) return null;

      return { product: item.price.product as string, unitAmount: item.price.unit_amount ?? 0, quantity, recurring: { ...item.price.recurring! }, samePrice: true };
    }
    const display = "items[0][price_data]";
    const currency = optionalString(params, "items.0.price_data.currency");
    if (currency === null) throw missingParam(`${display}[currency]`);
    if (currency.toLowerCase() !== subscription.currency) {
      throw invalidRequest(`The price's currency (${currency}) must match the subscription's currency (${subscription.currency}).`, `${display}[currency]`);
    }
    const product = optionalString(params, "items.0.price_data.product");
    if (product === null) throw missingParam(`${display}[product]`);
    if (!this.sb.products.has(product)) throw noSuch("product", product, `${display}[product]`);
    const unitAmount = optionalInteger(params, "items.0.price_data.unit_amount");
    if (unitAmount === null) throw missingParam(`${display}[unit_amount]`);
    if (unitAmount < 0 || unitAmount > MAXIMUM_CHARGE) throw invalidRequest("Invalid unit_amount.", `${display}[unit_amount]`);
    const recurring = recurringParam(params, "items.0.price_data", display);
    if (recurring === null) throw missingParam(`${display}[recurring]`);

    return { product, unitAmount, quantity, recurring, samePrice: false };
  }

  /**
   * Stripe's prorations for the rest of the current period: a credit for the unused time on the old
   * price and, when the cycle continues, a charge for the same time on the new one. They wait as
   * invoice items for the next invoice.
   */
  private prorate(
    record: SubscriptionRecord,
    oldPrice: Stripe.Price,
    oldQuantity: number,
    next: { price: Stripe.Price; quantity: number } | null,
  ): Stripe.InvoiceItem[] {
    const { subscription } = record;
    const item = this.item(subscription);
    const now = this.sb.now();
    const total = item.current_period_end - item.current_period_start;
    const remaining = item.current_period_end - now;
    if (remaining <= 0 || total <= 0) return [];
    const share = (amount: number) => Math.round((amount * remaining) / total);
    const period = { start: now, end: item.current_period_end };
    const made: Stripe.InvoiceItem[] = [];
    const add = (price: Stripe.Price, quantity: number, amount: number, what: string) => {
      const proration = buildProrationItem({
        customer: subscription.customer as string,
        subscription: subscription.id,
        subscriptionItem: item.id,
        price,
        amount,
        description: `${what} on ${quantity} × ${this.productName(price)} after ${shortDate(now)}`,
        period,
        now,
      });
      this.invoiceItems.set(proration.id, proration);
      record.pendingItems.push(proration.id);
      made.push(proration);
    };
    const oldAmount = (oldPrice.unit_amount ?? 0) * oldQuantity;
    if (next && (next.price.unit_amount ?? 0) * next.quantity === oldAmount) return [];
    if (oldAmount > 0) add(oldPrice, oldQuantity, -share(oldAmount), "Unused time");
    if (next) add(next.price, next.quantity, share((next.price.unit_amount ?? 0) * next.quantity), "Remaining time");

    return made;
  }

  /**
   * `DELETE /v1/subscriptions/:id`: ends it now (customer.subscription.deleted). With `prorate` the
   * unused time is credited as an invoice item; with `invoice_now` pending items are invoiced at
   * once (a credit goes to the customer's balance).
   */
  cancel(id: string, params: Params, context: RequestContext): Stripe.Subscription {
    const record = this.getRecord(id);
    const { subscription } = record;
    assertKnownParams(params, ["cancellation_details.comment", "cancellation_details.feedback", "invoice_now", "prorate", "expand.*"]);
    if (subscription.status === "canceled") {
      throw invalidRequest(`The subscription ${id} has already been canceled.`, "subscription");
    }
    const comment = optionalString(params, "cancellation_details.comment", 5000);
    const feedback = optionalEnum(params, "cancellation_details.feedback", FEEDBACK);
    const invoiceNow = optionalBoolean(params, "invoice_now") ?? false;
    const prorate = optionalBoolean(params, "prorate") ?? false;

    return this.sb.inBurst(() => {
      const item = this.item(subscription);
      const prorations = prorate ? this.prorate(record, item.price, item.quantity ?? 1, null) : [];
      subscription.canceled_at = this.sb.now();
      subscription.cancellation_details = { comment, feedback, feedback_option: null, reason: "cancellation_requested" };
      this.end(record, { reason: "cancellation_requested", context });
      for (const proration of prorations) this.sb.emit("invoiceitem.created", proration, context);
      if (invoiceNow && record.pendingItems.length > 0) {
        const invoice = this.newInvoice(record, newId.invoice(), "subscription_update", {
          period: { start: this.sb.now(), end: this.sb.now() },
          servicePeriod: null,
          autoAdvance: false,
          context,
        });
        this.finalize(invoice, { applyBalance: true }, context);
        if (invoice.invoice.amount_due === 0) this.markPaid(invoice);
        else this.attempt(invoice, { ...this.automaticCharge(record), automatic: false });
      }

      return clone(subscription);
    });
  }

  /** `POST /v1/invoices/:id/pay`: finalizes a draft, then charges (off-session by default). */
  payInvoice(id: string, params: Params, context: RequestContext): Stripe.Invoice {
    const record = this.getInvoice(id);
    const { invoice } = record;
    assertKnownParams(params, ["payment_method", "off_session", "expand.*"]);
    if (invoice.status === "paid") throw invalidRequest("Invoice is already paid", "invoice", "invoice_already_paid");
    if (invoice.status === "void") throw invalidRequest("You cannot pay a voided invoice.", "invoice", "invoice_not_editable");
    const paymentMethodParam = optionalString(params, "payment_method");
    if (paymentMethodParam !== null) this.sb.requireAttached(paymentMethodParam, invoice.customer as string, "payment_method");
    const offSession = optionalBoolean(params, "off_session") ?? true;
    const subscriptionRecord = this.recordOf(record);

    return this.sb.inBurst(() => {
      if (invoice.status === "draft") this.finalize(record, { applyBalance: true }, context);
      if (invoice.amount_due === 0) {
        this.markPaid(record);

        return clone(invoice);
      }
      const automatic = this.automaticCharge(subscriptionRecord);
      const paymentMethod = paymentMethodParam ?? automatic.paymentMethod;
      if (paymentMethod === null) {
        throw invalidRequest("This customer has no attached payment source or default payment method.", "payment_method", "invoice_no_payment_method_types");
      }
      const card = this.sb.cardOf(paymentMethod).card;
      const outcome =
        !offSession ? card.outcome
        : subscriptionRecord.renewalOutcome !== null ? automatic.outcome
        : offSessionOutcome(card);
      const result = this.attempt(record, { paymentMethod, outcome, automatic: false });
      if (result.outcome === "declined") {
        throw new ApiError(402, "card_error", result.decline.message, { code: result.decline.code, decline_code: result.decline.declineCode });
      }
      if (result.outcome === "requires_action") {
        throw new ApiError(
          402,
          "card_error",
          "This payment requires additional user action before it can be completed successfully. Payment can be completed using the PaymentIntent associated with the invoice.",
          { code: "invoice_payment_intent_requires_action" },
        );
      }

      return clone(invoice);
    });
  }

  // ---- what the supporter and the control API do -----------------------------------------------

  /** `POST /_sandbox/subscriptions/:id/next_renewal`. */
  setRenewalOutcome(id: string, outcome: RenewalOutcome): Stripe.Subscription {
    const record = this.getRecord(id);
    record.renewalOutcome = outcome;

    return clone(record.subscription);
  }

  /**
   * The supporter replaces the card (portal, or control API): payment_method.attached,
   * customer.updated, customer.subscription.updated; any override of renewals is dropped (the new
   * card decides), and a past-due invoice is retried at once with the new card.
   */
  updatePaymentMethod(id: string, cardNumber: string, context: RequestContext = AUTOMATIC): Stripe.Subscription {
    const record = this.getRecord(id);
    const { subscription } = record;
    if (subscription.status === "canceled") throw invalidRequest("This subscription is canceled.", "subscription");
    const check = checkCard({ number: cardNumber }, this.sb.now());
    if (!check.ok) {
      if (check.code === "card_declined") throw new ApiError(402, "card_error", check.message, { code: check.code, param: "card" });
      throw invalidRequest(check.message, "card", check.code);
    }
    // Saving a card is a setup: cards declined on every charge are refused here too.
    const setup = check.card.signupOutcome ?? check.card.outcome;
    if (setup.kind === "decline") throw new ApiError(402, "card_error", setup.message, { code: setup.code, decline_code: setup.declineCode });

    return this.sb.inBurst(() => {
      const customer = this.customerOf(subscription);
      const paymentMethod = this.sb.newPaymentMethod(cardDetails(check, undefined, this.sb.now()), this.payer(subscription));
      this.sb.attachPaymentMethod(paymentMethod, customer.id, context);
      const settings = clone(customer.invoice_settings);
      customer.invoice_settings.default_payment_method = paymentMethod.id;
      this.sb.emit("customer.updated", customer, context, { invoice_settings: settings });
      const before = { default_payment_method: subscription.default_payment_method };
      subscription.default_payment_method = paymentMethod.id;
      this.announceUpdate(subscription, before, context);
      record.renewalOutcome = null;
      if (subscription.status === "past_due") {
        for (const invoice of [...this.invoices.values()]) {
          if (invoice.subscriptionId !== id || invoice.invoice.status !== "open") continue;
          this.attempt(invoice, { paymentMethod: paymentMethod.id, outcome: offSessionOutcome(check.card), automatic: false });
        }
      }

      return clone(subscription);
    });
  }

  /**
   * The supporter pays on the hosted invoice page, with a new card or the one on file, completing
   * or failing 3D Secure when the card asks for it.
   */
  payHosted(id: string, input: { card?: string; authentication?: "complete" | "fail" }): InvoicePayResult {
    const record = this.getInvoice(id);
    const { invoice } = record;
    if (invoice.status !== "open" && invoice.status !== "uncollectible") {
      throw invalidRequest(`This invoice cannot be paid (status: ${invoice.status}).`, "invoice", "invoice_not_open");
    }
    const subscription = this.recordOf(record).subscription;

    return this.sb.inBurst((): InvoicePayResult => {
      let paymentMethod: string;
      if (input.card) {
        const check = checkCard({ number: input.card }, this.sb.now());
        if (!check.ok) return { outcome: "invalid_card", invoice: clone(invoice), code: check.code, message: check.message, param: "card" };
        paymentMethod = this.sb.newPaymentMethod(cardDetails(check, undefined, this.sb.now()), this.payer(subscription)).id;
      } else {
        const pi = record.paymentIntentId ? this.sb.paymentIntents.get(record.paymentIntentId) : undefined;
        const onFile = (pi?.payment_method as string | null | undefined) ?? this.automaticCharge(this.recordOf(record)).paymentMethod;
        if (!onFile) return { outcome: "invalid_card", invoice: clone(invoice), code: "parameter_missing", message: "Enter a card number.", param: "card" };
        paymentMethod = onFile;
      }
      let outcome = this.sb.cardOf(paymentMethod).card.outcome;
      if (outcome.kind === "authenticate" && input.authentication === "complete") outcome = { kind: "succeed" };
      if (outcome.kind === "authenticate" && input.authentication === "fail") {
        const pi = this.ensurePaymentIntent(record);
        pi.payment_method = paymentMethod;
        const before = { attempt_count: invoice.attempt_count, attempted: invoice.attempted };
        invoice.attempt_count += 1;
        invoice.attempted = true;
        const error = this.sb.failAuthentication(pi);
        this.sb.emit("invoice.payment_failed", invoice, AUTOMATIC);
        this.sb.emit("invoice.updated", invoice, AUTOMATIC, before);

        return {
          outcome: "declined",
          invoice: clone(invoice),
          code: "payment_intent_authentication_failure",
          decline_code: "authentication_required",
          message: error.message ?? "Authentication failed.",
        };
      }
      const result = this.attempt(record, { paymentMethod, outcome, automatic: false });
      if (result.outcome === "declined") {
        const { decline } = result;

        return { outcome: "declined", invoice: clone(invoice), code: decline.code, decline_code: decline.declineCode, message: decline.message };
      }

      return { outcome: result.outcome, invoice: clone(invoice) };
    });
  }

  /** What the hosted invoice page shows: the invoice, what it is for, and whether 3D Secure is awaited. */
  hostedInvoice(id: string): { invoice: Stripe.Invoice; productName: string; requiresAction: boolean } {
    const record = this.getInvoice(id);
    const pi = record.paymentIntentId ? this.sb.paymentIntents.get(record.paymentIntentId) : undefined;
    const subscription = this.recordOf(record).subscription;

    return {
      invoice: clone(record.invoice),
      productName: this.productName(this.item(subscription).price),
      requiresAction: pi?.status === "requires_action",
    };
  }
}
