import type Stripe from "stripe";
import { type Interval } from "./billing-objects";
import { type CardCheck, type CardOutcome, checkCard } from "./cards";
import { ApiError, invalidRequest, missingParam, noSuch } from "./errors";
import { newId } from "./ids";
import { buildCheckoutSession, buildLineItem, buildPaymentIntent, buildPrice, buildProduct } from "./objects";
import {
  assertKnownParams,
  getParam,
  metadataParam,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalUrl,
  type Params,
  requiredString,
} from "./params";
import { AUTOMATIC, cardDetails, clone, type Payer, type RequestContext, type Sandbox } from "./sandbox";

type SessionRecord = {
  session: Stripe.Checkout.Session;
  lineItems: Stripe.LineItem[];
  paymentIntentData: {
    metadata: Stripe.Metadata;
    description: string | null;
    receiptEmail: string | null;
    statementDescriptorSuffix: string | null;
    setupFutureUsage: Stripe.PaymentIntent.SetupFutureUsage | null;
  };
  subscriptionData: { metadata: Stripe.Metadata; description: string | null };
  /**
   * How far the sandbox clock was ahead of real time when the session was created. The caller sets
   * `expires_at` by its own (real) clock, as it must with Stripe, whose test clocks do not move
   * Checkout; the session expires once the sandbox clock has moved on as far past creation as
   * `expires_at` is, so advancing the clock still expires older sessions but never a new one.
   */
  clockAheadAtCreation: number;
  /**
   * The session's PaymentIntent. In payment mode it is also `session.payment_intent`; in
   * subscription mode the session never shows it (it belongs to the first invoice).
   */
  paymentIntentId: string | null;
  /** Card waiting for 3D Secure on the hosted page. */
  pendingAuthentication: { paymentMethodId: string; payer: Payer } | null;
};

export type PayInput = {
  email: string;
  name?: string | null;
  card: string;
  expiry?: string;
  cvc?: string;
};

export type PayResult =
  | { outcome: "succeeded"; session: Stripe.Checkout.Session; redirect: string | null }
  | { outcome: "requires_action"; session: Stripe.Checkout.Session }
  | { outcome: "declined"; session: Stripe.Checkout.Session; code: string; decline_code: string; message: string }
  | { outcome: "invalid_card"; session: Stripe.Checkout.Session; code: string; message: string; param: string };

// Minimum charge per currency in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
const MINIMUM_CHARGE: Record<string, number> = { usd: 50, eur: 50, gbp: 30, aud: 50, cad: 50, chf: 50, nzd: 50, sgd: 50, jpy: 50 };
export const MAXIMUM_CHARGE = 99_999_999;
export const SUPPORTED_CURRENCIES = new Set(Object.keys(MINIMUM_CHARGE));
export const INTERVALS = ["day", "week", "month", "year"] as const;
// Stripe allows billing intervals of up to three years.
const MAX_INTERVAL_COUNT: Record<Interval, number> = { day: 1095, week: 156, month: 36, year: 3 };

const CHECKOUT_CREATE_PARAMS = [
  "mode",
  "line_items.*.quantity",
  "line_items.*.price_data.currency",
  "line_items.*.price_data.unit_amount",
  "line_items.*.price_data.product",
  "line_items.*.price_data.product_data.name",
  "line_items.*.price_data.product_data.description",
  "line_items.*.price_data.product_data.metadata.*",
  "line_items.*.price_data.recurring.interval",
  "line_items.*.price_data.recurring.interval_count",
  "submit_type",
  "customer",
  "customer_creation",
  "customer_email",
  "client_reference_id",
  "metadata.*",
  "payment_intent_data.metadata.*",
  "payment_intent_data.description",
  "payment_intent_data.receipt_email",
  "payment_intent_data.statement_descriptor_suffix",
  "payment_intent_data.setup_future_usage",
  "subscription_data.metadata.*",
  "subscription_data.description",
  "success_url",
  "cancel_url",
  "locale",
  "expires_at",
  "ui_mode",
  "expand.*",
];

const LOCALES = [
  "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr", "fr-CA", "hi-IN", "hr", "hu",
  "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr",
  "vi", "zh", "zh-HK", "zh-TW",
] as const;

export function minimumCharge(currency: string): number {
  return MINIMUM_CHARGE[currency] ?? 50;
}

/** `recurring[interval]` and `recurring[interval_count]` under `base`, checked as Stripe checks them. */
export function recurringParam(params: Params, base: string, display: string): { interval: Interval; interval_count: number } | null {
  if (getParam(params, `${base}.recurring`) === undefined) return null;
  const interval = optionalEnum(params, `${base}.recurring.interval`, INTERVALS);
  if (interval === null) throw missingParam(`${display}[recurring][interval]`);
  const count = optionalInteger(params, `${base}.recurring.interval_count`) ?? 1;
  if (count < 1 || count > MAX_INTERVAL_COUNT[interval]) {
    throw invalidRequest(
      "The maximum interval length is three years (3 years, 36 months, or 156 weeks).",
      `${display}[recurring][interval_count]`,
    );
  }

  return { interval, interval_count: count };
}

/**
 * Checkout Sessions and the hosted page's payments. Payment mode charges once; subscription mode
 * charges the first period and hands over to Billing, which creates the subscription and its
 * first invoice (basil+: only after the payment succeeded).
 */
export class Checkout {
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly sb: Sandbox) {}

  /** What is saved between runs (see state-file.ts); plain JSON, taken as is. */
  snapshot() {
    return { sessions: [...this.sessions] };
  }

  restore(saved: ReturnType<Checkout["snapshot"]>): void {
    for (const [id, record] of saved.sessions) this.sessions.set(id, record);
  }

  lookup(id: string): object | undefined {
    return id.startsWith("cs_") ? this.sessions.get(id)?.session : undefined;
  }

  /** The stored session itself, for callers that copy it anyway (expand does). */
  peek(id: string): Stripe.Checkout.Session {
    return this.getRecord(id).session;
  }

  retrieve(id: string): Stripe.Checkout.Session {
    return clone(this.getRecord(id).session);
  }

  lineItemsOf(id: string): Stripe.LineItem[] {
    return clone(this.getRecord(id).lineItems);
  }

  list(filter: { payment_intent?: string; customer?: string; subscription?: string; limit?: number }): Stripe.Checkout.Session[] {
    const all = [...this.sessions.values()]
      .map((r) => r.session)
      .filter((s) => !filter.payment_intent || s.payment_intent === filter.payment_intent)
      .filter((s) => !filter.customer || s.customer === filter.customer)
      .filter((s) => !filter.subscription || s.subscription === filter.subscription)
      // Newest first, and of the same second the later one first, as Stripe lists them.
      .reverse()
      .sort((a, b) => b.created - a.created);

    return clone(all.slice(0, filter.limit ?? 10));
  }

  private getRecord(id: string): SessionRecord {
    const record = this.sessions.get(id);
    if (!record) throw noSuch("checkout.session", id, "session");

    return record;
  }

  create(params: Params, context: RequestContext): Stripe.Checkout.Session {
    if (getParam(params, "payment_method_types") !== undefined) {
      throw invalidRequest(
        "The parameter payment_method_types is no longer supported on API version 2026-10-28.endive. Use dynamic payment methods, or allowed_payment_method_types.",
        "payment_method_types",
        "payment_method_types_no_longer_supported",
      );
    }
    assertKnownParams(params, CHECKOUT_CREATE_PARAMS);
    const now = this.sb.now();

    const mode = optionalEnum(params, "mode", ["payment", "setup", "subscription"] as const);
    if (mode === null) throw missingParam("mode");
    if (mode === "setup") {
      throw invalidRequest(`The Stripe stand-in does not implement mode=setup.`, "mode", "parameter_invalid_string");
    }
    const uiMode = optionalEnum(params, "ui_mode", ["hosted_page", "embedded_page", "elements", "form"] as const);
    if (uiMode !== null && uiMode !== "hosted_page") {
      throw invalidRequest(`The Stripe stand-in only implements ui_mode=hosted_page.`, "ui_mode");
    }
    if (mode === "subscription") {
      if (getParam(params, "customer_creation") !== undefined) {
        throw invalidRequest("`customer_creation` can only be used in `payment` and `setup` mode.", "customer_creation");
      }
      if (getParam(params, "payment_intent_data") !== undefined) {
        throw invalidRequest("You can not pass `payment_intent_data` in `subscription` mode.", "payment_intent_data");
      }
    } else if (getParam(params, "subscription_data") !== undefined) {
      throw invalidRequest("You can not pass `subscription_data` in `payment` mode.", "subscription_data");
    }

    const rawItems = getParam(params, "line_items");
    if (!Array.isArray(rawItems) || rawItems.length === 0) {
      throw invalidRequest("You must provide at least one line item.", "line_items", "parameter_missing");
    }
    if (rawItems.length > 100) throw invalidRequest("You may only specify up to 100 line items.", "line_items");
    if (mode === "subscription" && rawItems.length > 1) {
      throw invalidRequest("The Stripe stand-in implements one line item in subscription mode.", "line_items");
    }

    const lineItems: Stripe.LineItem[] = [];
    let currency: string | null = null;
    rawItems.forEach((_, index) => {
      const base = `line_items.${index}`;
      const display = `line_items[${index}][price_data]`;
      const quantity = optionalInteger(params, `${base}.quantity`);
      if (quantity === null) throw missingParam(`line_items[${index}][quantity]`);
      if (quantity < 1) throw invalidRequest("Quantity must be at least 1.", `line_items[${index}][quantity]`);
      if (getParam(params, `${base}.price_data`) === undefined) throw missingParam(display);
      const itemCurrency = requiredString(params, `${base}.price_data.currency`).toLowerCase();
      if (!SUPPORTED_CURRENCIES.has(itemCurrency)) {
        throw invalidRequest(`Invalid currency: ${itemCurrency}.`, `${display}[currency]`);
      }
      if (currency !== null && currency !== itemCurrency) {
        throw invalidRequest("All line items must share one currency.", `${display}[currency]`);
      }
      currency = itemCurrency;
      const unitAmount = optionalInteger(params, `${base}.price_data.unit_amount`);
      if (unitAmount === null) throw missingParam(`${display}[unit_amount]`);
      if (unitAmount < 0) throw invalidRequest("This value must be greater than or equal to 0.", `${display}[unit_amount]`);
      if (unitAmount > MAXIMUM_CHARGE) {
        throw invalidRequest("This value must be less than or equal to 99999999.", `${display}[unit_amount]`);
      }
      const recurring = recurringParam(params, `${base}.price_data`, display);
      if (mode === "payment" && recurring !== null) {
        throw invalidRequest(
          "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
          "line_items",
        );
      }
      if (mode === "subscription" && recurring === null) {
        throw invalidRequest("You must provide at least one recurring price in `subscription` mode when using prices.", "line_items");
      }
      const productId = optionalString(params, `${base}.price_data.product`);
      let product: Stripe.Product;
      if (productId !== null) {
        const existing = this.sb.products.get(productId);
        if (!existing) throw noSuch("product", productId, `${display}[product]`);
        product = existing;
      } else {
        const name = optionalString(params, `${base}.price_data.product_data.name`, 250);
        if (name === null) {
          throw invalidRequest("You must specify either `product` or `product_data` when creating a price.", display, "parameter_missing");
        }
        product = buildProduct({
          name,
          description: optionalString(params, `${base}.price_data.product_data.description`),
          metadata: metadataParam(params, `${base}.price_data.product_data.metadata`),
          now,
        });
        this.sb.products.set(product.id, product);
      }
      const price = buildPrice({ product: product.id, currency: itemCurrency, unitAmount, recurring, now });
      this.sb.prices.set(price.id, price);
      lineItems.push(buildLineItem({ price, quantity, description: product.name }));
    });

    const amountTotal = lineItems.reduce((sum, item) => sum + item.amount_total, 0);
    const checkedCurrency = currency as unknown as string;
    const minimum = minimumCharge(checkedCurrency);
    if (amountTotal < minimum) {
      throw invalidRequest(
        `The Checkout Session's total amount due must add up to at least ${minimum} ${checkedCurrency} minor units.`,
        "line_items",
        "amount_too_small",
      );
    }
    if (amountTotal > MAXIMUM_CHARGE) {
      throw invalidRequest("The Checkout Session's total amount due must be no more than 99999999 minor units.", "line_items", "amount_too_large");
    }

    const customer = optionalString(params, "customer");
    const customerEmail = optionalString(params, "customer_email", 800);
    if (customer !== null && customerEmail !== null) {
      throw invalidRequest("You may only specify one of these parameters: customer, customer_email.", "customer_email");
    }
    if (customer !== null && !this.sb.customers.has(customer)) throw noSuch("customer", customer, "customer");
    if (customerEmail !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(customerEmail)) {
      throw invalidRequest("Invalid email address: " + customerEmail, "customer_email", "email_invalid");
    }

    const realNow = Math.floor(Date.now() / 1000);
    const expiresAt = optionalInteger(params, "expires_at") ?? realNow + 24 * 60 * 60;
    if (expiresAt < realNow + 30 * 60 || expiresAt > realNow + 24 * 60 * 60) {
      throw invalidRequest(
        "The `expires_at` timestamp must be at least 30 minutes and at most 24 hours from Checkout Session creation.",
        "expires_at",
      );
    }

    // endive accepts submit_type in payment and subscription mode (SDK 23.1.0's SessionCreateParams).
    const submitType = optionalEnum(params, "submit_type", ["auto", "book", "donate", "pay", "subscribe"] as const);
    const successUrl = optionalUrl(params, "success_url");
    const cancelUrl = optionalUrl(params, "cancel_url");
    const id = newId.checkoutSession();
    const session = buildCheckoutSession({
      id,
      mode,
      amountTotal,
      currency: checkedCurrency,
      submitType,
      customer,
      customerCreation:
        mode === "subscription" ? "always" : (optionalEnum(params, "customer_creation", ["always", "if_required"] as const) ?? "if_required"),
      customerEmail,
      clientReferenceId: optionalString(params, "client_reference_id", 200),
      metadata: metadataParam(params, "metadata"),
      successUrl,
      cancelUrl,
      locale: optionalEnum(params, "locale", LOCALES),
      expiresAt,
      url: `${this.sb.options.publicUrl}/c/pay/${id}`,
      now,
    });
    this.sessions.set(id, {
      session,
      lineItems,
      paymentIntentData: {
        metadata: metadataParam(params, "payment_intent_data.metadata"),
        description: optionalString(params, "payment_intent_data.description", 1000),
        receiptEmail: optionalString(params, "payment_intent_data.receipt_email", 800),
        statementDescriptorSuffix: optionalString(params, "payment_intent_data.statement_descriptor_suffix", 22),
        setupFutureUsage: optionalEnum(params, "payment_intent_data.setup_future_usage", ["off_session", "on_session"] as const),
      },
      subscriptionData: {
        metadata: metadataParam(params, "subscription_data.metadata"),
        description: optionalString(params, "subscription_data.description", 500),
      },
      paymentIntentId: null,
      pendingAuthentication: null,
      clockAheadAtCreation: now - realNow,
    });
    void context; // Stripe emits no event on session creation.

    return clone(session);
  }

  expireSession(id: string, context: RequestContext): Stripe.Checkout.Session {
    const record = this.getRecord(id);
    if (record.session.status !== "open") {
      throw invalidRequest(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${record.session.status}".`,
        "session",
        "checkout_session_not_open",
      );
    }

    return this.sb.inBurst(() => {
      this.expire(record, context);

      return clone(record.session);
    });
  }

  private expire(record: SessionRecord, context: RequestContext): void {
    const session = record.session;
    session.status = "expired";
    session.url = null;
    record.pendingAuthentication = null;
    if (record.paymentIntentId !== null) {
      const pi = this.sb.paymentIntents.get(record.paymentIntentId);
      if (pi && pi.status !== "succeeded" && pi.status !== "canceled") {
        pi.status = "canceled";
        pi.canceled_at = this.sb.now();
        pi.cancellation_reason = "abandoned";
        pi.next_action = null;
        this.sb.emit("payment_intent.canceled", pi, context);
      }
    }
    this.sb.emit("checkout.session.expired", session, context);
  }

  expireDueSessions(): void {
    const now = this.sb.clock.now();
    for (const record of this.sessions.values()) {
      if (record.session.status === "open" && record.session.expires_at + record.clockAheadAtCreation <= now) {
        this.sb.inBurst(() => this.expire(record, AUTOMATIC));
      }
    }
  }

  /**
   * What a donor does on the hosted page: enter an email and a card, press the button. The card
   * number decides the outcome, as with Stripe's test cards.
   */
  pay(id: string, input: PayInput): PayResult {
    const record = this.getRecord(id);
    this.expireDueSessions();
    const session = record.session;
    if (session.status !== "open") {
      throw new ApiError(400, "invalid_request_error", `This Checkout Session is no longer active (status: ${session.status}).`, {
        code: "checkout_session_not_open",
      });
    }
    const email = (input.email ?? "").trim() || session.customer_email || "";
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      return { outcome: "invalid_card", session: clone(session), code: "email_invalid", message: "Your email address is invalid.", param: "email" };
    }
    const check: CardCheck = checkCard({ number: input.card, expiry: input.expiry, cvc: input.cvc }, this.sb.now());
    if (!check.ok) {
      return { outcome: "invalid_card", session: clone(session), code: check.code, message: check.message, param: check.param };
    }
    const payer: Payer = { email, name: input.name?.trim() || null };
    const outcome: CardOutcome = session.mode === "subscription" ? (check.card.signupOutcome ?? check.card.outcome) : check.card.outcome;

    return this.sb.inBurst(() => {
      const paymentMethod = this.sb.newPaymentMethod(cardDetails(check, input.expiry, this.sb.now()), payer);
      if (outcome.kind === "authenticate") {
        const pi = this.ensurePaymentIntent(record);
        record.pendingAuthentication = { paymentMethodId: paymentMethod.id, payer };
        this.sb.requireAction(pi, paymentMethod.id);

        return { outcome: "requires_action", session: clone(session) } as const;
      }
      if (outcome.kind === "decline") {
        this.sb.failCharge(this.ensurePaymentIntent(record), paymentMethod.id, payer, outcome);

        return { outcome: "declined", session: clone(session), code: outcome.code, decline_code: outcome.declineCode, message: outcome.message };
      }

      return this.complete(record, paymentMethod.id, payer);
    });
  }

  /** The donor's answer to the 3D Secure challenge shown after an authentication-required card. */
  authenticate(id: string, succeed: boolean): PayResult {
    const record = this.getRecord(id);
    const pending = record.pendingAuthentication;
    if (record.session.status !== "open" || pending === null) {
      throw invalidRequest("This Checkout Session has no payment waiting for authentication.", "session");
    }
    record.pendingAuthentication = null;

    return this.sb.inBurst(() => {
      if (succeed) return this.complete(record, pending.paymentMethodId, pending.payer);
      const error = this.sb.failAuthentication(this.ensurePaymentIntent(record));

      return {
        outcome: "declined",
        session: clone(record.session),
        code: "payment_intent_authentication_failure",
        decline_code: "authentication_required",
        message: error.message ?? "Authentication failed.",
      } as const;
    });
  }

  private ensurePaymentIntent(record: SessionRecord): Stripe.PaymentIntent {
    const session = record.session;
    if (record.paymentIntentId !== null) return this.sb.paymentIntents.get(record.paymentIntentId)!;
    const subscription = session.mode === "subscription";
    // Checkout creates the PaymentIntent only when the donor first confirms (since 2022-08-01). In
    // subscription mode it is the first invoice's: Billing's description, no metadata of ours.
    const pi = buildPaymentIntent({
      amount: session.amount_total ?? 0,
      currency: session.currency ?? "usd",
      customer: typeof session.customer === "string" ? session.customer : null,
      description: subscription ? "Subscription creation" : record.paymentIntentData.description,
      metadata: subscription ? {} : record.paymentIntentData.metadata,
      receiptEmail: subscription ? null : record.paymentIntentData.receiptEmail,
      statementDescriptorSuffix: subscription ? null : record.paymentIntentData.statementDescriptorSuffix,
      setupFutureUsage: subscription ? "off_session" : record.paymentIntentData.setupFutureUsage,
      now: this.sb.now(),
    });
    this.sb.paymentIntents.set(pi.id, pi);
    record.paymentIntentId = pi.id;
    if (!subscription) session.payment_intent = pi.id;
    this.sb.emit("payment_intent.created", pi, AUTOMATIC);

    return pi;
  }

  /** The payment went through: charge, then (subscription mode) the subscription, then the session. */
  private complete(record: SessionRecord, paymentMethodId: string, payer: Payer): PayResult {
    const session = record.session;
    const subscriptionMode = session.mode === "subscription";
    // Subscription mode always has a customer, made before the first payment is created; payment
    // mode makes one (if asked) after the PaymentIntent, as Stripe orders them.
    let customerId = typeof session.customer === "string" ? session.customer : null;
    if (customerId === null && subscriptionMode) {
      customerId = this.sb.newCustomer(payer).id;
      session.customer = customerId;
    }
    const pi = this.ensurePaymentIntent(record);
    if (customerId === null && session.customer_creation === "always") customerId = this.sb.newCustomer(payer).id;
    pi.customer = customerId;
    const charge = this.sb.succeedCharge(pi, paymentMethodId, payer);

    if (subscriptionMode) {
      const paymentMethod = this.sb.paymentMethods.get(paymentMethodId)!;
      this.sb.attachPaymentMethod(paymentMethod, customerId!, AUTOMATIC);
      const item = record.lineItems[0]!;
      const { subscription, invoice } = this.sb.billing.startFromCheckout({
        customer: customerId!,
        price: item.price!,
        quantity: item.quantity ?? 1,
        metadata: record.subscriptionData.metadata,
        description: record.subscriptionData.description,
        paymentMethod: paymentMethodId,
        paymentIntent: pi,
      });
      session.subscription = subscription.id;
      session.invoice = invoice.id;
    }

    session.status = "complete";
    session.payment_status = "paid";
    session.url = null;
    session.customer = customerId;
    session.customer_details = {
      address: { city: null, country: this.sb.paymentMethods.get(paymentMethodId)?.card?.country ?? null, line1: null, line2: null, postal_code: null, state: null },
      business_name: null,
      email: payer.email,
      individual_name: null,
      name: payer.name,
      phone: null,
      tax_exempt: "none",
      tax_ids: [],
    };
    this.sb.emit("checkout.session.completed", session, AUTOMATIC);
    this.sb.settle(charge);

    return { outcome: "succeeded", session: clone(session), redirect: successRedirect(session) };
  }
}

export function successRedirect(session: Stripe.Checkout.Session): string | null {
  return session.success_url ? session.success_url.replaceAll("{CHECKOUT_SESSION_ID}", session.id) : null;
}
