import type Stripe from "stripe";
import { Billing } from "./billing";
import { type CardCheck, type CardOutcome, TEST_CARDS, type TestCard } from "./cards";
import { Checkout } from "./checkout";
import { Clock } from "./clock";
import { Disputes } from "./disputes";
import { invalidRequest, noSuch } from "./errors";
import { stripeFee } from "./fees";
import { newId } from "./ids";
import { buildBalanceTransaction, buildCharge, buildCustomer, buildPaymentMethod, buildProduct, type CardDetails } from "./objects";
import {
  assertKnownParams,
  metadataParam,
  metadataUpdate,
  optionalBoolean,
  optionalString,
  type Params,
  requiredString,
} from "./params";
import { Payouts } from "./payouts";
import { Portal } from "./portal";
import { Refunds } from "./refunds";
import { type WebhookConfig, WebhookDeliverer } from "./webhooks";

export const API_VERSION = "2026-10-28.endive";

/** Who caused an event: an API request (id and idempotency key) or nobody (the donor, the clock). */
export type RequestContext = { requestId: string | null; idempotencyKey: string | null };
export const AUTOMATIC: RequestContext = { requestId: null, idempotencyKey: null };

export type EventType = Stripe.Event["type"];
type EventObject<T extends EventType> = Extract<Stripe.Event, { type: T }>["data"]["object"];

export type StoredEvent = { id: string; type: string; json: string; pendingWebhooks: number };

export type SandboxState = ReturnType<Sandbox["snapshot"]>;

export type SandboxOptions = {
  /** Base URL under which the hosted pages are reachable by a browser. */
  publicUrl: string;
  webhooks: WebhookConfig;
  apiLatencyMs: number;
  balanceTransactionDelayMs?: number;
  /** The instant (unix seconds) the clock starts at; real time by default. */
  clockStart?: number;
  /** Whether the clock moves the balance: funds becoming available and daily automatic payouts (off by default). */
  payouts?: boolean;
};

/** Who pays: what goes into a charge's billing_details. */
export type Payer = { email: string | null; name: string | null };

export type Decline = Extract<CardOutcome, { kind: "decline" }>;

// Every object here is plain JSON; a JSON round trip copies it faster than structuredClone.
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A card as stored on a PaymentMethod, from a checked test card number. */
export function cardDetails(check: Extract<CardCheck, { ok: true }>, expiry: string | undefined, nowUnix: number): CardDetails {
  const [expMonth, expYear] = parseExpiry(expiry, nowUnix);

  return {
    number: check.number,
    brand: check.card.brand,
    funding: check.card.funding,
    country: check.card.country,
    expMonth,
    expYear,
    fingerprint: fingerprintFor(check.number),
  };
}

/**
 * The stand-in's shared state and machinery: the objects every part uses (payments, charges,
 * customers, products, prices, payment methods, balance transactions), events, expansion and the
 * clock's billing steps. Checkout, Billing, Refunds, Disputes and the Portal each own their own
 * objects and reach the rest through here. Objects are kept unexpanded (ids in reference fields),
 * events are snapshots taken when emitted, and each action's events go out together as one burst.
 */
export class Sandbox {
  readonly clock: Clock;
  readonly webhooks: WebhookDeliverer;
  apiLatencyMs: number;
  /**
   * Stripe having a bad day: one in every `every` API requests of the given methods, the first of
   * them included, is answered with `status` (429: rate limited; 500, 503: Stripe's own error)
   * instead of being done. Off: status 0.
   */
  apiFaults: { status: 0 | 429 | 500 | 503; every: number; methods: "all" | "GET" | "POST"; seen: number } = { status: 0, every: 1, methods: "all", seen: 0 };
  /**
   * Stripe's rate limit: at most this many API requests in any second of real time, the rest
   * answered 429 `rate_limit` as Stripe does (25 in test mode, 100 in live). 0: no limit.
   */
  rateLimitPerSecond = 0;
  /** When the API requests of the last second of real time arrived (ms), oldest first; a new limit starts it afresh. */
  recentRequests: number[] = [];
  /** How long after a successful charge its balance transaction is attached (0: at once). */
  balanceTransactionDelayMs: number;
  /**
   * Whether the clock makes funds available and pays them out (payouts.ts). Off, balance
   * transactions stay pending and no balance or payout events are sent, as before payouts existed,
   * for suites that check exact sequences of billing events across months.
   */
  payoutsEnabled: boolean;

  readonly paymentIntents = new Map<string, Stripe.PaymentIntent>();
  readonly charges = new Map<string, Stripe.Charge>();
  readonly balanceTransactions = new Map<string, Stripe.BalanceTransaction>();
  readonly customers = new Map<string, Stripe.Customer>();
  readonly products = new Map<string, Stripe.Product>();
  readonly prices = new Map<string, Stripe.Price>();
  readonly paymentMethods = new Map<string, Stripe.PaymentMethod>();
  /** The test card behind each PaymentMethod, which decides how charges on it go. */
  private readonly cards = new Map<string, CardDetails>();

  readonly checkout: Checkout;
  readonly billing: Billing;
  readonly refunds: Refunds;
  readonly disputes: Disputes;
  readonly portal: Portal;
  readonly payouts: Payouts;

  // Events are kept as the JSON text that is delivered: snapshots never change, and text is far
  // lighter on the garbage collector than thousands of object trees.
  private readonly events: StoredEvent[] = [];
  private readonly eventsById = new Map<string, StoredEvent>();
  private burst: StoredEvent[] | null = null;
  /** While the clock runs a billing step: that step's time, for its objects and events. */
  private stepTime: number | null = null;
  private readonly timer: NodeJS.Timeout;
  /** Called after anything in the state may have changed (an event, a delivery, a request). */
  onChange: (() => void) | null = null;

  constructor(readonly options: SandboxOptions) {
    this.clock = new Clock(options.clockStart);
    this.apiLatencyMs = options.apiLatencyMs;
    this.balanceTransactionDelayMs = options.balanceTransactionDelayMs ?? 0;
    this.payoutsEnabled = options.payouts ?? false;
    this.webhooks = new WebhookDeliverer(
      options.webhooks,
      (eventId) => {
        const event = this.eventsById.get(eventId);
        if (event && event.pendingWebhooks > 0) event.pendingWebhooks -= 1;
      },
      () => this.changed(),
    );
    this.checkout = new Checkout(this);
    this.billing = new Billing(this);
    this.refunds = new Refunds(this);
    this.disputes = new Disputes(this);
    this.portal = new Portal(this);
    this.payouts = new Payouts(this);
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.webhooks.close();
  }

  changed(): void {
    this.onChange?.();
  }

  // ---- saved state -----------------------------------------------------------------------------

  /**
   * Everything the stand-in knows but the events' bodies (eventLog), as plain JSON-ready data, for
   * state-file.ts to save between runs: objects, which events still await a delivery, what
   * deliveries are owed, and how far the clock is ahead. Configuration (webhook URL and secret,
   * latency) is not state: it comes from the environment on every start.
   */
  snapshot() {
    return {
      clockOffset: this.clock.offset(),
      paymentIntents: [...this.paymentIntents],
      charges: [...this.charges],
      balanceTransactions: [...this.balanceTransactions],
      customers: [...this.customers],
      products: [...this.products],
      prices: [...this.prices],
      paymentMethods: [...this.paymentMethods],
      cards: [...this.cards],
      pendingWebhooks: this.events.filter((e) => e.pendingWebhooks > 0).map((e) => [e.id, e.pendingWebhooks] as [string, number]),
      checkout: this.checkout.snapshot(),
      billing: this.billing.snapshot(),
      refunds: this.refunds.snapshot(),
      disputes: this.disputes.snapshot(),
      portal: this.portal.snapshot(),
      payouts: this.payouts.snapshot(),
      webhooks: this.webhooks.snapshot(),
    };
  }

  /** Every event emitted, oldest first; saved apart from the snapshot, as it is only ever appended to. */
  eventLog(): readonly StoredEvent[] {
    return this.events;
  }

  /**
   * Takes back a saved state and its events (as Stripe event objects, oldest first) into this new,
   * empty stand-in. What fell due while it was stopped runs on the next tick of the clock, as a
   * Stripe test clock would have run it.
   */
  restore(saved: SandboxState, events: Array<Record<string, unknown>>): void {
    if (this.events.length > 0 || this.customers.size > 0) throw new Error("restore() needs an empty stand-in");
    this.clock.restoreOffset(saved.clockOffset);
    const fill = <V>(map: Map<string, V>, entries: Array<[string, V]>) => {
      for (const [id, value] of entries) map.set(id, value);
    };
    fill(this.paymentIntents, saved.paymentIntents);
    fill(this.charges, saved.charges);
    fill(this.balanceTransactions, saved.balanceTransactions);
    fill(this.customers, saved.customers);
    fill(this.products, saved.products);
    fill(this.prices, saved.prices);
    fill(this.paymentMethods, saved.paymentMethods);
    fill(this.cards, saved.cards);
    const pending = new Map(saved.pendingWebhooks);
    for (const event of events) {
      const { id, type } = event as { id: string; type: string };
      // The text delivered is the indented one emit() made; the same object gives the same text.
      const stored: StoredEvent = { id, type, json: JSON.stringify(event, null, 2), pendingWebhooks: pending.get(id) ?? 0 };
      this.events.push(stored);
      this.eventsById.set(id, stored);
    }
    this.checkout.restore(saved.checkout);
    this.billing.restore(saved.billing);
    this.refunds.restore(saved.refunds);
    this.disputes.restore(saved.disputes);
    this.portal.restore(saved.portal);
    this.payouts.restore(saved.payouts);
    this.webhooks.restore(saved.webhooks, (id) => this.eventsById.get(id));
    // A balance transaction waiting on its delay (a timer) when the stand-in stopped is attached now.
    this.inBurst(() => {
      for (const charge of this.charges.values()) {
        if (charge.status === "succeeded" && charge.balance_transaction === null) this.settle(charge);
      }
    });
  }

  // ---- time ------------------------------------------------------------------------------------

  /** Now, as seen by whatever is running: a billing step sees its own time, not the clock's. */
  now(): number {
    return this.stepTime ?? this.clock.now();
  }

  /**
   * Runs an API request at one instant, as Stripe dates one change: the object's timestamps (a
   * cancellation's canceled_at) and its events' `created` agree even when the second turns over
   * in the middle of the request (CI saw them a second apart under load). Handlers are synchronous;
   * the instant ends when the handler returns.
   */
  atOneInstant<T>(action: () => T): T {
    if (this.stepTime !== null) return action();
    this.stepTime = this.clock.now();
    try {
      return action();
    } finally {
      this.stepTime = null;
    }
  }

  /** Moves the clock and runs what fell due, in order; a failing step is the caller's error. */
  advanceClock(seconds: number): number {
    const now = this.clock.advance(seconds);
    this.changed();
    this.checkout.expireDueSessions();
    this.runDueSteps();

    return now;
  }

  private tick(): void {
    try {
      this.checkout.expireDueSessions();
      this.runDueSteps();
    } catch (error) {
      // Nobody waits on the timer: a bug in one step must not stop it for everything else.
      console.error("stripe-sandbox: billing step failed", error);
    }
  }

  /**
   * Runs every step whose time has come (billing first, then the balance and payouts at the same
   * second), oldest first, as a Stripe test clock does when it advances: each step is one burst of
   * events dated at the step's own time.
   */
  runDueSteps(): void {
    const now = this.clock.now();
    for (let guard = 0; guard < 100_000; guard++) {
      const billing = this.billing.nextDueStep(now);
      const payouts = this.payoutsEnabled ? this.payouts.nextDueStep(now) : null;
      const step = billing === null || (payouts !== null && payouts.at < billing.at) ? payouts : billing;
      if (step === null) return;
      this.stepTime = step.at;
      try {
        this.inBurst(step.run);
      } finally {
        this.stepTime = null;
      }
    }
    throw new Error("clock steps did not settle");
  }

  // ---- events ----------------------------------------------------------------------------------

  /** Runs an action and delivers the events it emitted as one burst, after it has finished. */
  inBurst<T>(action: () => T): T {
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

  emit<T extends EventType>(type: T, object: EventObject<T>, context: RequestContext, previousAttributes?: Record<string, unknown>): void {
    const pendingWebhooks = this.webhooks.config.url === null ? 0 : 1;
    const event = {
      id: newId.event(),
      object: "event",
      api_version: API_VERSION,
      created: this.now(),
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
    this.changed();
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
    const own =
      id.startsWith("pi_") ? this.paymentIntents.get(id)
      : id.startsWith("ch_") ? this.charges.get(id)
      : id.startsWith("txn_") ? this.balanceTransactions.get(id)
      : id.startsWith("cus_") ? this.customers.get(id)
      : id.startsWith("price_") ? this.prices.get(id)
      : id.startsWith("pm_") ? this.paymentMethods.get(id)
      : id.startsWith("evt_") ? this.eventsById.has(id) ? this.parseEvent(this.eventsById.get(id)!) : undefined
      : undefined;

    return (
      own ??
      this.checkout.lookup(id) ??
      this.billing.lookup(id) ??
      this.refunds.lookup(id) ??
      this.disputes.lookup(id) ??
      this.portal.lookup(id) ??
      this.payouts.lookup(id) ??
      // Products may have ids of the caller's choosing.
      this.products.get(id)
    );
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

  /** Fields Stripe leaves out unless they are expanded ("includable"), built on demand. */
  private includable(target: Record<string, unknown>, field: string): unknown {
    const id = target.id as string;
    if (target.object === "checkout.session" && field === "line_items") {
      return this.listObject(this.checkout.lineItemsOf(id), `/v1/checkout/sessions/${id}/line_items`);
    }
    if (target.object === "invoice" && field === "payments") {
      return this.listObject(this.billing.paymentsOf(id), `/v1/invoices/${id}/payments`);
    }
    if (target.object === "charge" && field === "refunds") {
      return this.listObject(this.refunds.list({ charge: id, limit: 100 }), `/v1/charges/${id}/refunds`);
    }

    return undefined;
  }

  private expandPath(target: Record<string, unknown>, parts: string[], fullPath: string): void {
    const [field, ...rest] = parts;
    if (field === undefined) return;
    const cannot = () => invalidRequest(`This property cannot be expanded (${fullPath}).`, "expand");
    const included = this.includable(target, field);
    if (included !== undefined) target[field] = included;
    if (!(field in target)) throw cannot();
    const resolve = (value: unknown): unknown => {
      if (typeof value !== "string") return value;
      const found = this.lookup(value);
      if (!found) throw cannot();

      return clone(found);
    };
    let value = resolve(target[field]);
    if (Array.isArray(value)) value = value.map(resolve);
    target[field] = value;
    if (rest.length === 0) {
      // Only references to API objects expand: an id, an embedded object, a list of them, or null.
      const isResource = (v: unknown) => v !== null && typeof v === "object" && "object" in v;
      if (value !== null && !isResource(value) && !(Array.isArray(value) && value.every(isResource))) throw cannot();

      return;
    }
    // A path through a list applies to each element (`items.data.price`, `payments.data.payment`).
    const targets = Array.isArray(value) ? value : [value];
    for (const next of targets) {
      if (next !== null && typeof next === "object") this.expandPath(next as Record<string, unknown>, rest, fullPath);
    }
  }

  listObject<T>(data: T[], url: string, hasMore = false): Stripe.ApiList<T> {
    return { object: "list", data, has_more: hasMore, url };
  }

  get<T>(map: Map<string, T>, id: string, what: string, param = "id"): T {
    const found = map.get(id);
    if (!found) throw noSuch(what, id, param);

    return found;
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
  retrievePaymentMethod(id: string) {
    return clone(this.get(this.paymentMethods, id, "payment_method"));
  }

  listCharges(filter: { payment_intent?: string; customer?: string; limit: number }): Stripe.Charge[] {
    const all = [...this.charges.values()]
      .filter((c) => !filter.payment_intent || c.payment_intent === filter.payment_intent)
      .filter((c) => !filter.customer || c.customer === filter.customer)
      .reverse();

    return clone(all.slice(0, filter.limit));
  }

  // ---- customers and products ------------------------------------------------------------------

  createCustomer(params: Params, context: RequestContext): Stripe.Customer {
    assertKnownParams(params, ["email", "name", "description", "metadata", "metadata.*"]);
    const email = optionalString(params, "email", 512);
    const customer = buildCustomer({ email: email ?? "", name: optionalString(params, "name", 256), metadata: metadataParam(params, "metadata"), now: this.now() });
    customer.email = email;
    customer.description = optionalString(params, "description", 350);
    this.customers.set(customer.id, customer);
    this.inBurst(() => this.emit("customer.created", customer, context));

    return clone(customer);
  }

  updateCustomer(id: string, params: Params, context: RequestContext): Stripe.Customer {
    const customer = this.get(this.customers, id, "customer");
    assertKnownParams(params, ["email", "name", "description", "metadata", "metadata.*", "invoice_settings.default_payment_method"]);
    const previous: Record<string, unknown> = {};
    const set = <K extends keyof Stripe.Customer>(key: K, value: Stripe.Customer[K]) => {
      if (JSON.stringify(customer[key]) === JSON.stringify(value)) return;
      previous[key] = clone(customer[key]);
      customer[key] = value;
    };
    if (params.email !== undefined) set("email", optionalString(params, "email", 512));
    if (params.name !== undefined) set("name", optionalString(params, "name", 256));
    if (params.description !== undefined) set("description", optionalString(params, "description", 350));
    const metadata = metadataUpdate(params, "metadata", customer.metadata);
    if (metadata !== null) set("metadata", metadata);
    const paymentMethod = optionalString(params, "invoice_settings.default_payment_method");
    if (paymentMethod !== null) {
      this.requireAttached(paymentMethod, customer.id, "invoice_settings[default_payment_method]");
      set("invoice_settings", { ...customer.invoice_settings, default_payment_method: paymentMethod });
    }
    if (Object.keys(previous).length > 0) this.inBurst(() => this.emit("customer.updated", customer, context, previous));

    return clone(customer);
  }

  /** Stripe accepts as a default only a PaymentMethod attached to that customer. */
  requireAttached(paymentMethodId: string, customerId: string, param: string): Stripe.PaymentMethod {
    const paymentMethod = this.paymentMethods.get(paymentMethodId);
    if (!paymentMethod) throw noSuch("PaymentMethod", paymentMethodId, param);
    if (paymentMethod.customer !== customerId) {
      throw invalidRequest(
        `The customer does not have a payment method with the ID ${paymentMethodId}. The payment method must be attached to the customer.`,
        param,
        "resource_missing",
      );
    }

    return paymentMethod;
  }

  createProduct(params: Params, context: RequestContext): Stripe.Product {
    assertKnownParams(params, ["id", "name", "description", "metadata", "metadata.*", "statement_descriptor"]);
    const id = optionalString(params, "id", 250);
    const statementDescriptor = statementDescriptorParam(params);
    if (id !== null && this.products.has(id)) {
      throw invalidRequest(`Product already exists.`, "id", "resource_already_exists");
    }
    const product = buildProduct({
      name: requiredString(params, "name", 250),
      description: optionalString(params, "description", 40_000),
      metadata: metadataParam(params, "metadata"),
      statementDescriptor,
      now: this.now(),
    });
    if (id !== null) product.id = id;
    this.products.set(product.id, product);
    this.inBurst(() => this.emit("product.created", product, context));

    return clone(product);
  }

  updateProduct(id: string, params: Params, context: RequestContext): Stripe.Product {
    const product = this.get(this.products, id, "product");
    assertKnownParams(params, ["active", "name", "description", "metadata", "metadata.*", "statement_descriptor"]);
    const previous: Record<string, unknown> = {};
    const set = <K extends keyof Stripe.Product>(key: K, value: Stripe.Product[K]) => {
      if (JSON.stringify(product[key]) === JSON.stringify(value)) return;
      previous[key] = clone(product[key]);
      product[key] = value;
    };
    const active = optionalBoolean(params, "active");
    if (active !== null) set("active", active);
    const name = optionalString(params, "name", 250);
    if (name !== null) set("name", name);
    if (params.statement_descriptor !== undefined) set("statement_descriptor", statementDescriptorParam(params));
    if (params.description !== undefined) set("description", optionalString(params, "description", 40_000));
    const metadata = metadataUpdate(params, "metadata", product.metadata);
    if (metadata !== null) set("metadata", metadata);
    if (Object.keys(previous).length > 0) {
      product.updated = this.now();
      this.inBurst(() => this.emit("product.updated", product, context, previous));
    }

    return clone(product);
  }

  /** Creates a customer as Checkout does after a successful payment, and announces it. */
  newCustomer(payer: Payer): Stripe.Customer {
    const customer = buildCustomer({ email: payer.email ?? "", name: payer.name, now: this.now() });
    customer.email = payer.email;
    this.customers.set(customer.id, customer);
    this.emit("customer.created", customer, AUTOMATIC);

    return customer;
  }

  // ---- payment methods and charges -------------------------------------------------------------

  newPaymentMethod(card: CardDetails, payer: Payer): Stripe.PaymentMethod {
    const paymentMethod = buildPaymentMethod({ card, billing: payer, customer: null, now: this.now() });
    this.paymentMethods.set(paymentMethod.id, paymentMethod);
    this.cards.set(paymentMethod.id, card);

    return paymentMethod;
  }

  attachPaymentMethod(paymentMethod: Stripe.PaymentMethod, customerId: string, context: RequestContext): void {
    paymentMethod.customer = customerId;
    this.emit("payment_method.attached", paymentMethod, context);
  }

  cardOf(paymentMethodId: string): { details: CardDetails; card: TestCard } {
    const details = this.cards.get(paymentMethodId);
    if (!details) throw noSuch("PaymentMethod", paymentMethodId, "payment_method");

    return { details, card: TEST_CARDS[details.number]! };
  }

  /** Charges a PaymentIntent's card successfully: charge.succeeded, payment_intent.succeeded. */
  succeedCharge(pi: Stripe.PaymentIntent, paymentMethodId: string, payer: Payer): Stripe.Charge {
    pi.payment_method = paymentMethodId;
    const charge = buildCharge({ paymentIntent: pi, paymentMethodId, card: this.cardOf(paymentMethodId).details, billing: payer, failure: null, now: this.now() });
    charge.receipt_url = `${this.options.publicUrl}/receipts/${charge.id}`;
    this.charges.set(charge.id, charge);
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    pi.latest_charge = charge.id;
    pi.last_payment_error = null;
    pi.next_action = null;
    this.emit("charge.succeeded", charge, AUTOMATIC);
    this.emit("payment_intent.succeeded", pi, AUTOMATIC);

    return charge;
  }

  /** A declined attempt: charge.failed, payment_intent.payment_failed; the PaymentIntent can be tried again. */
  failCharge(pi: Stripe.PaymentIntent, paymentMethodId: string, payer: Payer, decline: Decline): Stripe.Charge {
    pi.payment_method = paymentMethodId;
    const charge = buildCharge({
      paymentIntent: pi,
      paymentMethodId,
      card: this.cardOf(paymentMethodId).details,
      billing: payer,
      failure: { code: decline.code, declineCode: decline.declineCode, message: decline.message, outcomeType: decline.outcomeType ?? "issuer_declined" },
      now: this.now(),
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

    return charge;
  }

  /** The card asks for 3D Secure: the PaymentIntent waits for the cardholder (payment_intent.requires_action). */
  requireAction(pi: Stripe.PaymentIntent, paymentMethodId: string): void {
    pi.payment_method = paymentMethodId;
    pi.status = "requires_action";
    pi.next_action = { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect" } };
    this.emit("payment_intent.requires_action", pi, AUTOMATIC);
  }

  /** The cardholder failed the 3D Secure challenge: payment_intent.payment_failed, no charge. */
  failAuthentication(pi: Stripe.PaymentIntent): Stripe.PaymentIntent.LastPaymentError {
    const error: Stripe.PaymentIntent.LastPaymentError = {
      code: "payment_intent_authentication_failure",
      doc_url: "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
      message: "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
      type: "invalid_request_error",
    };
    pi.status = "requires_payment_method";
    pi.next_action = null;
    pi.last_payment_error = error;
    this.emit("payment_intent.payment_failed", pi, AUTOMATIC);

    return error;
  }

  /**
   * Attaches a successful charge's balance transaction (fee and net), announced by charge.updated:
   * at once by default, or later to play a Stripe that settles slowly.
   */
  settle(charge: Stripe.Charge): void {
    const attach = () => {
      const balanceTransaction = buildBalanceTransaction({ charge, fee: stripeFee(charge.amount, charge.currency), now: this.now() });
      this.balanceTransactions.set(balanceTransaction.id, balanceTransaction);
      charge.balance_transaction = balanceTransaction.id;
      this.emit("charge.updated", charge, AUTOMATIC, { balance_transaction: null });
    };
    if (this.balanceTransactionDelayMs > 0) {
      setTimeout(() => this.inBurst(attach), this.balanceTransactionDelayMs).unref();
    } else {
      attach();
    }
  }
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

/** A product's `statement_descriptor` as Stripe checks it: 5 to 22 characters, a letter, none of < > \\ ' " *. */
function statementDescriptorParam(params: Params): string | null {
  const value = optionalString(params, "statement_descriptor", 22);
  if (value !== null && (value.length < 5 || /[<>\\'"*]/.test(value) || !/[A-Za-z]/.test(value))) {
    throw invalidRequest("The statement descriptor must be 5 to 22 characters, with at least one letter and none of < > \\ ' \" *.", "statement_descriptor");
  }

  return value;
}
