import { invalidRequest } from "./errors";
import { listPage, rangeFilter } from "./lists";
import { expandParam, listLimit, optionalEnum, optionalString, type Params } from "./params";
import type { RequestContext, Sandbox } from "./sandbox";

export type ApiRequest = { params: Params; path: Record<string, string>; context: RequestContext };
export type Handler = (req: ApiRequest) => unknown;
export type Route = (method: "GET" | "POST" | "DELETE", path: string, handler: Handler) => void;

/** A query filter: a plain string, or nothing. */
function filter(params: Params, key: string): string | undefined {
  return optionalString(params, key) ?? undefined;
}

/** The request without `expand`, for handlers that refuse parameters they do not know. */
function withoutExpand(params: Params): Params {
  const { expand: _expand, ...rest } = params;

  return rest;
}

// The underlying lists take a limit; a paged list asks them for everything and pages it itself.
const ALL = Number.MAX_SAFE_INTEGER;

/**
 * A list as Stripe serves it: newest first, filtered by `created` (exact or a range), then one page
 * of it (`limit`, `starting_after`, `ending_before`) with `has_more`, which the SDK's auto-paging
 * follows.
 */
function createdPage<T extends { id: string; created: number }>(items: T[], params: Params, what: string): { data: T[]; hasMore: boolean } {
  const inRange = rangeFilter(params, "created");

  return listPage(
    items.filter((item) => inRange(item.created)),
    params,
    what,
  );
}

/** Stripe's REST API as the stand-in implements it: every route, with `expand[]` on each object. */
export function registerApiRoutes(route: Route, sandbox: Sandbox): void {
  const one = <T extends object>(object: T, params: Params) => sandbox.expand(object, expandParam(params));
  // On a list, `expand[]=data.x` expands `x` on every element.
  const list = <T extends object>(items: T[], url: string, params: Params, hasMore = false) => {
    const paths = expandParam(params).map((p) => p.replace(/^data\./, ""));

    return sandbox.listObject(
      items.map((item) => sandbox.expand(item, paths)),
      url,
      hasMore,
    );
  };

  // Checkout
  route("POST", "/v1/checkout/sessions", ({ params, context }) => one(sandbox.checkout.create(withoutExpand(params), context), params));
  route("GET", "/v1/checkout/sessions", ({ params }) => {
    const items = sandbox.checkout.list({
      payment_intent: filter(params, "payment_intent"),
      customer: filter(params, "customer"),
      subscription: filter(params, "subscription"),
      limit: ALL,
    });
    const page = createdPage(items, params, "checkout.session");

    return list(page.data, "/v1/checkout/sessions", params, page.hasMore);
  });
  route("GET", "/v1/checkout/sessions/:id", ({ params, path }) => one(sandbox.checkout.peek(path.id!), params));
  route("GET", "/v1/checkout/sessions/:id/line_items", ({ path, params }) =>
    list(sandbox.checkout.lineItemsOf(path.id!), `/v1/checkout/sessions/${path.id}/line_items`, params),
  );
  route("POST", "/v1/checkout/sessions/:id/expire", ({ path, context, params }) => one(sandbox.checkout.expireSession(path.id!, context), params));

  // Payments
  route("GET", "/v1/payment_intents/:id", ({ params, path }) => one(sandbox.retrievePaymentIntent(path.id!), params));
  route("GET", "/v1/charges", ({ params }) => {
    const page = createdPage(
      sandbox.listCharges({ payment_intent: filter(params, "payment_intent"), customer: filter(params, "customer"), limit: ALL }),
      params,
      "charge",
    );

    return list(page.data, "/v1/charges", params, page.hasMore);
  });
  route("GET", "/v1/charges/:id", ({ params, path }) => one(sandbox.retrieveCharge(path.id!), params));
  route("GET", "/v1/balance_transactions/:id", ({ params, path }) => one(sandbox.retrieveBalanceTransaction(path.id!), params));
  route("GET", "/v1/balance_transactions", ({ params }) => {
    const page = sandbox.payouts.listBalanceTransactions(withoutExpand(params));

    return list(page.data, "/v1/balance_transactions", params, page.hasMore);
  });
  route("GET", "/v1/balance", () => sandbox.payouts.balance());
  route("GET", "/v1/payouts", ({ params }) => {
    const page = sandbox.payouts.list(withoutExpand(params));

    return list(page.data, "/v1/payouts", params, page.hasMore);
  });
  route("GET", "/v1/payouts/:id", ({ params, path }) => one(sandbox.payouts.retrieve(path.id!), params));
  route("GET", "/v1/payment_methods/:id", ({ params, path }) => one(sandbox.retrievePaymentMethod(path.id!), params));

  // Customers and the catalogue
  route("POST", "/v1/customers", ({ params, context }) => one(sandbox.createCustomer(withoutExpand(params), context), params));
  route("GET", "/v1/customers/:id", ({ params, path }) => one(sandbox.retrieveCustomer(path.id!), params));
  route("POST", "/v1/customers/:id", ({ params, path, context }) => one(sandbox.updateCustomer(path.id!, withoutExpand(params), context), params));
  route("POST", "/v1/products", ({ params, context }) => one(sandbox.createProduct(withoutExpand(params), context), params));
  route("GET", "/v1/products/:id", ({ params, path }) => one(sandbox.retrieveProduct(path.id!), params));
  route("POST", "/v1/products/:id", ({ params, path, context }) => one(sandbox.updateProduct(path.id!, withoutExpand(params), context), params));
  route("GET", "/v1/prices/:id", ({ params, path }) => one(sandbox.retrievePrice(path.id!), params));

  // Billing
  route("GET", "/v1/subscriptions", ({ params }) => {
    const page = createdPage(
      sandbox.billing.list({ customer: filter(params, "customer"), status: filter(params, "status"), limit: ALL }),
      params,
      "subscription",
    );

    return list(page.data, "/v1/subscriptions", params, page.hasMore);
  });
  route("GET", "/v1/subscriptions/:id", ({ params, path }) => one(sandbox.billing.retrieve(path.id!), params));
  route("POST", "/v1/subscriptions/:id", ({ params, path, context }) => one(sandbox.billing.update(path.id!, params, context), params));
  route("DELETE", "/v1/subscriptions/:id", ({ params, path, context }) => one(sandbox.billing.cancel(path.id!, params, context), params));
  route("GET", "/v1/subscription_items/:id", ({ params, path }) => one(sandbox.billing.retrieveItem(path.id!), params));
  route("GET", "/v1/invoices", ({ params }) =>
    list(
      sandbox.billing.listInvoices({
        subscription: filter(params, "subscription"),
        customer: filter(params, "customer"),
        status: filter(params, "status"),
        limit: listLimit(params),
      }),
      "/v1/invoices",
      params,
    ),
  );
  route("GET", "/v1/invoices/:id", ({ params, path }) => one(sandbox.billing.retrieveInvoice(path.id!), params));
  route("GET", "/v1/invoices/:id/lines", ({ params, path }) => list(sandbox.billing.invoiceLines(path.id!), `/v1/invoices/${path.id}/lines`, params));
  route("POST", "/v1/invoices/:id/pay", ({ params, path, context }) => one(sandbox.billing.payInvoice(path.id!, params, context), params));
  route("GET", "/v1/invoiceitems/:id", ({ params, path }) => one(sandbox.billing.retrieveInvoiceItem(path.id!), params));
  route("GET", "/v1/invoice_payments", ({ params }) => {
    let paymentIntent: string | undefined;
    if (params.payment !== undefined) {
      const type = optionalEnum(params, "payment.type", ["payment_intent", "payment_record"] as const);
      if (type !== "payment_intent") throw invalidRequest("The Stripe stand-in lists invoice payments by payment[type]=payment_intent.", "payment[type]");
      paymentIntent = filter(params, "payment.payment_intent");
      if (paymentIntent === undefined) throw invalidRequest("Missing required param: payment[payment_intent].", "payment[payment_intent]", "parameter_missing");
    }
    const items = sandbox.billing.listInvoicePayments({
      invoice: filter(params, "invoice"),
      paymentIntent,
      status: filter(params, "status"),
      limit: listLimit(params),
    });

    return list(items, "/v1/invoice_payments", params);
  });
  route("GET", "/v1/invoice_payments/:id", ({ params, path }) => one(sandbox.billing.retrieveInvoicePayment(path.id!), params));

  // After the payment
  route("POST", "/v1/refunds", ({ params, context }) => one(sandbox.refunds.create(params, context), params));
  route("GET", "/v1/refunds", ({ params }) => {
    const page = createdPage(
      sandbox.refunds.list({ charge: filter(params, "charge"), payment_intent: filter(params, "payment_intent"), limit: ALL }),
      params,
      "refund",
    );

    return list(page.data, "/v1/refunds", params, page.hasMore);
  });
  route("GET", "/v1/refunds/:id", ({ params, path }) => one(sandbox.refunds.retrieve(path.id!), params));
  route("GET", "/v1/disputes", ({ params }) => {
    const page = createdPage(
      sandbox.disputes.list({ charge: filter(params, "charge"), payment_intent: filter(params, "payment_intent"), limit: ALL }),
      params,
      "dispute",
    );

    return list(page.data, "/v1/disputes", params, page.hasMore);
  });
  route("GET", "/v1/disputes/:id", ({ params, path }) => one(sandbox.disputes.retrieve(path.id!), params));
  route("POST", "/v1/billing_portal/sessions", ({ params, context }) => one(sandbox.portal.create(params, context), params));

  // Events
  route("GET", "/v1/events/:id", ({ path }) => sandbox.retrieveEvent(path.id!));
  route("GET", "/v1/events", ({ params }) => {
    // `type` takes one type or a prefix with a wildcard (charge.dispute.*); `types[]` up to 20 exact types.
    const type = filter(params, "type");
    if (type !== undefined && params.types !== undefined) throw invalidRequest("You may only specify one of these parameters: type, types.", "types");
    const types = Array.isArray(params.types) ? params.types.filter((t): t is string => typeof t === "string") : null;
    const wanted = (eventType: string) =>
      types ? types.includes(eventType) : type === undefined ? true : type.endsWith(".*") ? eventType.startsWith(type.slice(0, -1)) : eventType === type;
    const page = createdPage(
      sandbox.listRecentEvents({ limit: ALL }).filter((event) => wanted(event.type)),
      params,
      "event",
    );

    return sandbox.listObject(page.data, "/v1/events", page.hasMore);
  });
}
