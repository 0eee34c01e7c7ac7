import type Stripe from "stripe";
import { type CardCheck, checkCard } from "./cards";
import { Clock } from "./clock";
import { ApiError, invalidRequest, missingParam, noSuch } from "./errors";
import { stripeFee } from "./fees";
import { newId } from "./ids";
import {
  buildBalanceTransaction,
  buildCharge,
  buildCheckoutSession,
  buildCustomer,
  buildLineItem,
  buildPaymentIntent,
  buildPrice,
  buildProduct,
  type CardDetails,
} from "./objects";
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
import { type WebhookConfig, WebhookDeliverer } from "./webhooks";

export const API_VERSION = "2026-10-28.endive";

/** Who caused an event: an API request (id and idempotency key) or nobody (the donor, the clock). */
export type RequestContext = { requestId: string | null; idempotencyKey: string | null };
const AUTOMATIC: RequestContext = { requestId: null, idempotencyKey: null };

type EventType = Stripe.Event["type"];
type EventObject<T extends EventType> = Extract<Stripe.Event, { type: T }>["data"]["object"];

export type StoredEvent = { id: string; type: string; json: string; pendingWebhooks: number };

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
  /** Card waiting for 3D Secure on the hosted page. */
  pendingAuthentication: { card: CardDetails; email: string; name: string | null } | null;
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

export type SandboxOptions = {
  /** Base URL under which the hosted pages are reachable by a browser. */
  publicUrl: string;
  webhooks: WebhookConfig;
  apiLatencyMs: number;
  balanceTransactionDelayMs?: number;
};

// Minimum charge per currency in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
const MINIMUM_CHARGE: Record<string, number> = { usd: 50, eur: 50, gbp: 30, aud: 50, cad: 50, chf: 50, nzd: 50, sgd: 50, jpy: 50 };
const MAXIMUM_CHARGE = 99_999_999;
const SUPPORTED_CURRENCIES = new Set(Object.keys(MINIMUM_CHARGE));

const CHECKOUT_CREATE_PARAMS = [
  "mode",
  "line_items.*.quantity",
  "line_items.*.price_data.currency",
  "line_items.*.price_data.unit_amount",
  "line_items.*.price_data.product",
  "line_items.*.price_data.product_data.name",
  "line_items.*.price_data.product_data.description",
  "line_items.*.price_data.product_data.metadata.*",
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

// Every object here is plain JSON; a JSON round trip copies it faster than structuredClone.
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The stand-in's whole state and behaviour. Objects are kept unexpanded (ids in reference fields),
 * events are snapshots taken when emitted, and each action's events go out together as one burst.
 */
export class Sandbox {
  readonly clock = new Clock();
  readonly webhooks: WebhookDeliverer;
  apiLatencyMs: number;
  /** How long after a successful charge its balance transaction is attached (0: at once). */
  balanceTransactionDelayMs: number;

  private readonly sessions = new Map<string, SessionRecord>();
  private readonly paymentIntents = new Map<string, Stripe.PaymentIntent>();
  private readonly charges = new Map<string, Stripe.Charge>();
  private readonly balanceTransactions = new Map<string, Stripe.BalanceTransaction>();
  private readonly customers = new Map<string, Stripe.Customer>();
  private readonly products = new Map<string, Stripe.Product>();
  private readonly prices = new Map<string, Stripe.Price>();
  // Events are kept as the JSON text that is delivered: snapshots never change, and text is far
  // lighter on the garbage collector than thousands of object trees.
  private readonly events: StoredEvent[] = [];
  private readonly eventsById = new Map<string, StoredEvent>();
  private burst: StoredEvent[] | null = null;
  private readonly expiryTimer: NodeJS.Timeout;

  constructor(private readonly options: SandboxOptions) {
    this.apiLatencyMs = options.apiLatencyMs;
    this.balanceTransactionDelayMs = options.balanceTransactionDelayMs ?? 0;
    this.webhooks = new WebhookDeliverer(options.webhooks, (eventId) => {
      const event = this.eventsById.get(eventId);
      if (event && event.pendingWebhooks > 0) event.pendingWebhooks -= 1;
    });
    this.expiryTimer = setInterval(() => this.expireDueSessions(), 1000);
    this.expiryTimer.unref();
  }

  close(): void {
    clearInterval(this.expiryTimer);
    this.webhooks.close();
  }

  // ---- events ----------------------------------------------------------------------------------

  /** Runs an action and delivers the events it emitted as one burst, after it has finished. */
  private inBurst<T>(action: () => T): T {
    const outer = this.burst;
    this.burst = outer ?? [];
    try {
      return action();
    } finally {
      if (outer === null) {
        const events = this.burst;
        this.burst = null;
        this.webhooks.enqueueBurst(events);
      }
    }
  }

  private emit<T extends EventType>(
    type: T,
    object: EventObject<T>,
    context: RequestContext,
    previousAttributes?: Record<string, unknown>,
  ): void {
    const pendingWebhooks = this.webhooks.config.url === null ? 0 : 1;
    const event = {
      id: newId.event(),
      object: "event",
      api_version: API_VERSION,
      created: this.clock.now(),
      data: {
        object,
        ...(previousAttributes ? { previous_attributes: previousAttributes } : {}),
      },
      livemode: false,
      pending_webhooks: pendingWebhooks,
      request: { id: context.requestId, idempotency_key: context.idempotencyKey },
      type,
    } as Stripe.Event;
    // Serialising now takes the snapshot: later changes to the object do not reach the event.
    const stored: StoredEvent = { id: event.id, type, json: JSON.stringify(event, null, 2), pendingWebhooks };
    this.events.push(stored);
    this.eventsById.set(stored.id, stored);
    if (this.burst) this.burst.push(stored);
    else this.webhooks.enqueueBurst([stored]);
  }

  private parseEvent(stored: StoredEvent): Stripe.Event {
    const event = JSON.parse(stored.json) as Stripe.Event;
    event.pending_webhooks = stored.pendingWebhooks;

    return event;
  }

  listEvents(filter: { type?: string; after?: string; limit?: number }): Stripe.Event[] {
    let start = 0;
    if (filter.after) {
      const index = this.events.findIndex((e) => e.id === filter.after);
      if (index === -1) throw noSuch("event", filter.after, "after");
      start = index + 1;
    }
    const matching = this.events.slice(start).filter((e) => !filter.type || e.type === filter.type);

    return (filter.limit ? matching.slice(0, filter.limit) : matching).map((e) => this.parseEvent(e));
  }

  /** Newest first, as GET /v1/events lists them. */
  listRecentEvents(filter: { type?: string; limit: number }): Stripe.Event[] {
    const out: Stripe.Event[] = [];
    for (let i = this.events.length - 1; i >= 0 && out.length < filter.limit; i--) {
      const stored = this.events[i]!;
      if (!filter.type || stored.type === filter.type) out.push(this.parseEvent(stored));
    }

    return out;
  }

  retrieveEvent(id: string): Stripe.Event {
    const stored = this.eventsById.get(id);
    if (!stored) throw noSuch("event", id);

    return this.parseEvent(stored);
  }

  // ---- lookups and expansion -------------------------------------------------------------------

  private lookup(id: string): object | undefined {
    if (id.startsWith("cs_")) return this.sessions.get(id)?.session;
    if (id.startsWith("pi_")) return this.paymentIntents.get(id);
    if (id.startsWith("ch_")) return this.charges.get(id);
    if (id.startsWith("txn_")) return this.balanceTransactions.get(id);
    if (id.startsWith("cus_")) return this.customers.get(id);
    if (id.startsWith("prod_")) return this.products.get(id);
    if (id.startsWith("price_")) return this.prices.get(id);
    if (id.startsWith("evt_")) {
      const stored = this.eventsById.get(id);

      return stored ? this.parseEvent(stored) : undefined;
    }

    return undefined;
  }

  /** Applies `expand[]` paths (up to four levels, as Stripe allows) to a copy of an object. */
  expand<T extends object>(object: T, paths: string[]): T {
    const out = clone(object) as Record<string, unknown>;
    for (const path of paths) {
      const parts = path.split(".");
      if (parts.length > 4) throw invalidRequest(`You cannot expand more than 4 levels of a property.`, "expand");
      this.expandPath(out, parts, path);
    }

    return out as T;
  }

  private expandPath(target: Record<string, unknown>, parts: string[], fullPath: string): void {
    const [field, ...rest] = parts;
    if (field === undefined) return;
    if (field === "line_items" && target.object === "checkout.session") {
      const record = this.sessions.get(target.id as string);
      target.line_items = this.listObject(record ? clone(record.lineItems) : [], `/v1/checkout/sessions/${target.id as string}/line_items`);

      return;
    }
    if (!(field in target)) throw invalidRequest(`This property cannot be expanded (${fullPath}).`, "expand");
    let value = target[field];
    if (typeof value === "string") {
      const found = this.lookup(value);
      if (!found) throw invalidRequest(`This property cannot be expanded (${fullPath}).`, "expand");
      value = clone(found);
      target[field] = value;
    }
    if (rest.length === 0) {
      if (value !== null && typeof value !== "object") throw invalidRequest(`This property cannot be expanded (${fullPath}).`, "expand");

      return;
    }
    if (value !== null && typeof value === "object") this.expandPath(value as Record<string, unknown>, rest, fullPath);
  }

  listObject<T>(data: T[], url: string): Stripe.ApiList<T> {
    return { object: "list", data, has_more: false, url };
  }

  private get<T>(map: Map<string, T>, id: string, what: string): T {
    const found = map.get(id);
    if (!found) throw noSuch(what, id);

    return found;
  }

  /** The stored session itself, for callers that copy it anyway (expand does). */
  peekCheckoutSession(id: string): Stripe.Checkout.Session {
    return this.getSessionRecord(id).session;
  }

  retrieveCheckoutSession(id: string): Stripe.Checkout.Session {
    return clone(this.getSessionRecord(id).session);
  }

  sessionLineItems(id: string): Stripe.LineItem[] {
    return clone(this.getSessionRecord(id).lineItems);
  }

  listCheckoutSessions(filter: { payment_intent?: string; customer?: string; limit?: number }): Stripe.Checkout.Session[] {
    const all = [...this.sessions.values()]
      .map((r) => r.session)
      .filter((s) => !filter.payment_intent || s.payment_intent === filter.payment_intent)
      .filter((s) => !filter.customer || s.customer === filter.customer)
      .sort((a, b) => b.created - a.created);

    return clone(all.slice(0, filter.limit ?? 10));
  }

  retrievePaymentIntent(id: string) {
    return clone(this.get(this.paymentIntents, id, "payment_intent"));
  }
  retrieveCharge(id: string) {
    return clone(this.get(this.charges, id, "charge"));
  }
  retrieveBalanceTransaction(id: string) {
    return clone(this.get(this.balanceTransactions, id, "balance_transaction"));
  }
  retrieveCustomer(id: string) {
    return clone(this.get(this.customers, id, "customer"));
  }
  retrieveProduct(id: string) {
    return clone(this.get(this.products, id, "product"));
  }
  retrievePrice(id: string) {
    return clone(this.get(this.prices, id, "price"));
  }

  private getSessionRecord(id: string): SessionRecord {
    const record = this.sessions.get(id);
    if (!record) throw noSuch("checkout.session", id, "session");

    return record;
  }

  // ---- Checkout --------------------------------------------------------------------------------

  createCheckoutSession(params: Params, context: RequestContext): Stripe.Checkout.Session {
    if (getParam(params, "payment_method_types") !== undefined) {
      throw invalidRequest(
        "The parameter payment_method_types is no longer supported on API version 2026-10-28.endive. Use dynamic payment methods, or allowed_payment_method_types.",
        "payment_method_types",
        "payment_method_types_no_longer_supported",
      );
    }
    assertKnownParams(params, CHECKOUT_CREATE_PARAMS);
    const now = this.clock.now();

    const mode = optionalEnum(params, "mode", ["payment", "setup", "subscription"] as const);
    if (mode === null) throw missingParam("mode");
    if (mode !== "payment") {
      throw invalidRequest(`The Stripe stand-in does not implement mode=${mode} yet.`, "mode", "parameter_invalid_string");
    }
    const uiMode = optionalEnum(params, "ui_mode", ["hosted_page", "embedded_page", "elements", "form"] as const);
    if (uiMode !== null && uiMode !== "hosted_page") {
      throw invalidRequest(`The Stripe stand-in only implements ui_mode=hosted_page.`, "ui_mode");
    }

    const rawItems = getParam(params, "line_items");
    if (!Array.isArray(rawItems) || rawItems.length === 0) {
      throw invalidRequest("You must provide at least one line item.", "line_items", "parameter_missing");
    }
    if (rawItems.length > 100) throw invalidRequest("You may only specify up to 100 line items.", "line_items");

    const lineItems: Stripe.LineItem[] = [];
    let currency: string | null = null;
    rawItems.forEach((_, index) => {
      const base = `line_items.${index}`;
      const quantity = optionalInteger(params, `${base}.quantity`);
      if (quantity === null) throw missingParam(`line_items[${index}][quantity]`);
      if (quantity < 1) throw invalidRequest("Quantity must be at least 1.", `line_items[${index}][quantity]`);
      if (getParam(params, `${base}.price_data`) === undefined) throw missingParam(`line_items[${index}][price_data]`);
      const itemCurrency = requiredString(params, `${base}.price_data.currency`).toLowerCase();
      if (!SUPPORTED_CURRENCIES.has(itemCurrency)) {
        throw invalidRequest(`Invalid currency: ${itemCurrency}.`, `line_items[${index}][price_data][currency]`);
      }
      if (currency !== null && currency !== itemCurrency) {
        throw invalidRequest("All line items must share one currency.", `line_items[${index}][price_data][currency]`);
      }
      currency = itemCurrency;
      const unitAmount = optionalInteger(params, `${base}.price_data.unit_amount`);
      if (unitAmount === null) throw missingParam(`line_items[${index}][price_data][unit_amount]`);
      if (unitAmount < 0) throw invalidRequest("This value must be greater than or equal to 0.", `line_items[${index}][price_data][unit_amount]`);
      if (unitAmount > MAXIMUM_CHARGE) {
        throw invalidRequest("This value must be less than or equal to 99999999.", `line_items[${index}][price_data][unit_amount]`);
      }
      const productId = optionalString(params, `${base}.price_data.product`);
      let product: Stripe.Product;
      if (productId !== null) {
        const existing = this.products.get(productId);
        if (!existing) throw noSuch("product", productId, `line_items[${index}][price_data][product]`);
        product = existing;
      } else {
        const name = optionalString(params, `${base}.price_data.product_data.name`, 250);
        if (name === null) {
          throw invalidRequest(
            "You must specify either `product` or `product_data` when creating a price.",
            `line_items[${index}][price_data]`,
            "parameter_missing",
          );
        }
        product = buildProduct({
          name,
          description: optionalString(params, `${base}.price_data.product_data.description`),
          metadata: metadataParam(params, `${base}.price_data.product_data.metadata`),
          now,
        });
        this.products.set(product.id, product);
      }
      const price = buildPrice({ product: product.id, currency: itemCurrency, unitAmount, now });
      this.prices.set(price.id, price);
      lineItems.push(buildLineItem({ price, quantity, description: product.name }));
    });

    const amountTotal = lineItems.reduce((sum, item) => sum + item.amount_total, 0);
    const checkedCurrency = currency as unknown as string;
    const minimum = MINIMUM_CHARGE[checkedCurrency] ?? 50;
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
    if (customer !== null && !this.customers.has(customer)) throw noSuch("customer", customer, "customer");
    if (customerEmail !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(customerEmail)) {
      throw invalidRequest("Invalid email address: " + customerEmail, "customer_email", "email_invalid");
    }

    const expiresAt = optionalInteger(params, "expires_at") ?? now + 24 * 60 * 60;
    if (expiresAt < now + 30 * 60 || expiresAt > now + 24 * 60 * 60) {
      throw invalidRequest(
        "The `expires_at` timestamp must be at least 30 minutes and at most 24 hours from Checkout Session creation.",
        "expires_at",
      );
    }

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
      customerCreation: optionalEnum(params, "customer_creation", ["always", "if_required"] as const) ?? "if_required",
      customerEmail,
      clientReferenceId: optionalString(params, "client_reference_id", 200),
      metadata: metadataParam(params, "metadata"),
      successUrl,
      cancelUrl,
      locale: optionalEnum(params, "locale", LOCALES),
      expiresAt,
      url: `${this.options.publicUrl}/c/pay/${id}`,
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
      pendingAuthentication: null,
    });
    void context; // Stripe emits no event on session creation.

    return clone(session);
  }

  expireCheckoutSession(id: string, context: RequestContext): Stripe.Checkout.Session {
    const record = this.getSessionRecord(id);
    if (record.session.status !== "open") {
      throw invalidRequest(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${record.session.status}".`,
        "session",
        "checkout_session_not_open",
      );
    }

    return this.inBurst(() => {
      this.expire(record, context);

      return clone(record.session);
    });
  }

  private expire(record: SessionRecord, context: RequestContext): void {
    const session = record.session;
    session.status = "expired";
    session.url = null;
    record.pendingAuthentication = null;
    if (typeof session.payment_intent === "string") {
      const pi = this.paymentIntents.get(session.payment_intent);
      if (pi && pi.status !== "succeeded" && pi.status !== "canceled") {
        pi.status = "canceled";
        pi.canceled_at = this.clock.now();
        pi.cancellation_reason = "abandoned";
        pi.next_action = null;
        this.emit("payment_intent.canceled", pi, context);
      }
    }
    this.emit("checkout.session.expired", session, context);
  }

  private expireDueSessions(): void {
    const now = this.clock.now();
    for (const record of this.sessions.values()) {
      if (record.session.status === "open" && record.session.expires_at <= now) {
        this.inBurst(() => this.expire(record, AUTOMATIC));
      }
    }
  }

  advanceClock(seconds: number): number {
    const now = this.clock.advance(seconds);
    this.expireDueSessions();

    return now;
  }

  /**
   * What a donor does on the hosted page: enter an email and a card, press the button. The card
   * number decides the outcome, as with Stripe's test cards.
   */
  pay(id: string, input: PayInput): PayResult {
    const record = this.getSessionRecord(id);
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
    const check: CardCheck = checkCard({ number: input.card, expiry: input.expiry, cvc: input.cvc }, this.clock.now());
    if (!check.ok) {
      return { outcome: "invalid_card", session: clone(session), code: check.code, message: check.message, param: check.param };
    }
    const [expMonth, expYear] = parseExpiry(input.expiry, this.clock.now());
    const card: CardDetails = {
      number: check.number,
      brand: check.card.brand,
      funding: check.card.funding,
      country: check.card.country,
      expMonth,
      expYear,
      fingerprint: fingerprintFor(check.number),
    };
    const name = input.name?.trim() || null;

    return this.inBurst(() => {
      if (check.card.outcome.kind === "authenticate") {
        const pi = this.ensurePaymentIntent(record);
        pi.status = "requires_action";
        pi.next_action = { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect" } };
        record.pendingAuthentication = { card, email, name };
        this.emit("payment_intent.requires_action", pi, AUTOMATIC);

        return { outcome: "requires_action", session: clone(session) } as const;
      }

      return this.charge(record, card, email, name, check.card.outcome.kind === "decline" ? check.card.outcome : null);
    });
  }

  /** The donor's answer to the 3D Secure challenge shown after an authentication-required card. */
  authenticate(id: string, succeed: boolean): PayResult {
    const record = this.getSessionRecord(id);
    const pending = record.pendingAuthentication;
    if (record.session.status !== "open" || pending === null) {
      throw invalidRequest("This Checkout Session has no payment waiting for authentication.", "session");
    }
    record.pendingAuthentication = null;

    return this.inBurst(() => {
      if (succeed) return this.charge(record, pending.card, pending.email, pending.name, null);
      const pi = this.ensurePaymentIntent(record);
      const error: Stripe.PaymentIntent.LastPaymentError = {
        code: "payment_intent_authentication_failure",
        doc_url: "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
        message:
          "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
        type: "invalid_request_error",
      };
      pi.status = "requires_payment_method";
      pi.next_action = null;
      pi.last_payment_error = error;
      this.emit("payment_intent.payment_failed", pi, AUTOMATIC);

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
    if (typeof session.payment_intent === "string") return this.paymentIntents.get(session.payment_intent)!;
    // Checkout creates the PaymentIntent only when the donor first confirms (since 2022-08-01).
    const pi = buildPaymentIntent({
      amount: session.amount_total ?? 0,
      currency: session.currency ?? "usd",
      customer: typeof session.customer === "string" ? session.customer : null,
      description: record.paymentIntentData.description,
      metadata: record.paymentIntentData.metadata,
      receiptEmail: record.paymentIntentData.receiptEmail,
      statementDescriptorSuffix: record.paymentIntentData.statementDescriptorSuffix,
      setupFutureUsage: record.paymentIntentData.setupFutureUsage,
      now: this.clock.now(),
    });
    this.paymentIntents.set(pi.id, pi);
    session.payment_intent = pi.id;
    this.emit("payment_intent.created", pi, AUTOMATIC);

    return pi;
  }

  private charge(
    record: SessionRecord,
    card: CardDetails,
    email: string,
    name: string | null,
    decline: { declineCode: string; code: string; message: string; outcomeType?: "issuer_declined" | "blocked" } | null,
  ): PayResult {
    const session = record.session;
    const now = this.clock.now();
    const pi = this.ensurePaymentIntent(record);
    const paymentMethodId = newId.paymentMethod();

    if (decline) {
      const charge = buildCharge({
        paymentIntent: pi,
        paymentMethodId,
        card,
        billing: { email, name },
        failure: { code: decline.code, declineCode: decline.declineCode, message: decline.message, outcomeType: decline.outcomeType ?? "issuer_declined" },
        now,
      });
      this.charges.set(charge.id, charge);
      pi.status = "requires_payment_method";
      pi.latest_charge = charge.id;
      pi.next_action = null;
      pi.last_payment_error = {
        charge: charge.id,
        code: decline.code,
        decline_code: decline.declineCode,
        doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, "-")}`,
        message: decline.message,
        type: "card_error",
      };
      this.emit("charge.failed", charge, AUTOMATIC);
      this.emit("payment_intent.payment_failed", pi, AUTOMATIC);

      return { outcome: "declined", session: clone(session), code: decline.code, decline_code: decline.declineCode, message: decline.message };
    }

    let customerId = typeof session.customer === "string" ? session.customer : null;
    if (customerId === null && session.customer_creation === "always") {
      const customer = buildCustomer({ email, name, now });
      this.customers.set(customer.id, customer);
      customerId = customer.id;
      this.emit("customer.created", customer, AUTOMATIC);
    }
    pi.customer = customerId;
    pi.payment_method = paymentMethodId;

    const charge = buildCharge({ paymentIntent: pi, paymentMethodId, card, billing: { email, name }, failure: null, now });
    charge.receipt_url = `${this.options.publicUrl}/receipts/${charge.id}`;
    this.charges.set(charge.id, charge);
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    pi.latest_charge = charge.id;
    pi.last_payment_error = null;
    pi.next_action = null;
    this.emit("charge.succeeded", charge, AUTOMATIC);
    this.emit("payment_intent.succeeded", pi, AUTOMATIC);

    session.status = "complete";
    session.payment_status = "paid";
    session.url = null;
    session.customer = customerId;
    session.customer_details = {
      address: { city: null, country: card.country, line1: null, line2: null, postal_code: null, state: null },
      business_name: null,
      email,
      individual_name: null,
      name,
      phone: null,
      tax_exempt: "none",
      tax_ids: [],
    };
    this.emit("checkout.session.completed", session, AUTOMATIC);

    // The balance transaction (fee and net) is attached after the charge, announced by
    // charge.updated: at once by default, or later to play a Stripe that settles slowly.
    const attachBalanceTransaction = () => {
      const balanceTransaction = buildBalanceTransaction({ charge, fee: stripeFee(charge.amount, charge.currency), now: this.clock.now() });
      this.balanceTransactions.set(balanceTransaction.id, balanceTransaction);
      charge.balance_transaction = balanceTransaction.id;
      this.emit("charge.updated", charge, AUTOMATIC, { balance_transaction: null });
    };
    if (this.balanceTransactionDelayMs > 0) {
      setTimeout(() => this.inBurst(attachBalanceTransaction), this.balanceTransactionDelayMs).unref();
    } else {
      attachBalanceTransaction();
    }

    return { outcome: "succeeded", session: clone(session), redirect: successRedirect(session) };
  }
}

export function successRedirect(session: Stripe.Checkout.Session): string | null {
  return session.success_url ? session.success_url.replaceAll("{CHECKOUT_SESSION_ID}", session.id) : null;
}

function parseExpiry(expiry: string | undefined, nowUnix: number): [number, number] {
  const match = expiry ? /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(expiry) : null;
  if (!match) return [12, new Date(nowUnix * 1000).getUTCFullYear() + 3];
  const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);

  return [Number(match[1]), year];
}

/** The same card gives the same fingerprint, as on Stripe (fraud tools key on it). */
function fingerprintFor(number: string): string {
  let hash = 0;
  for (const ch of number) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;

  return `fp${hash.toString(36)}${number.slice(-4)}`.padEnd(16, "0").slice(0, 16);
}
