import type Stripe from "stripe";
import { buildPortalSession } from "./billing-objects";
import { invalidRequest, missingParam, noSuch } from "./errors";
import { newId } from "./ids";
import { assertKnownParams, getParam, optionalEnum, optionalString, optionalUrl, type Params } from "./params";
import { AUTOMATIC, clone, type RequestContext, type Sandbox } from "./sandbox";

const PORTAL_LOCALES = [
  "auto", "bg", "cs", "da", "de", "el", "en", "en-AU", "en-CA", "en-GB", "en-IE", "en-IN", "en-NZ", "en-SG", "es", "es-419",
  "et", "fi", "fil", "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR",
  "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
] as const;

export type PortalAction = "update_card" | "cancel_at_period_end" | "cancel_now" | "renew";

/**
 * Customer portal sessions and what a supporter does on the portal page. One configuration, the
 * Dashboard default: card update, cancel at period end or now, renew; no switching plans.
 */
export class Portal {
  private readonly sessions = new Map<string, Stripe.BillingPortal.Session>();
  private configuration = newId.portalConfiguration();

  constructor(private readonly sb: Sandbox) {}

  /** What is saved between runs (see state-file.ts): the sessions, whose pages keep working. */
  snapshot() {
    return { sessions: [...this.sessions], configuration: this.configuration };
  }

  restore(saved: ReturnType<Portal["snapshot"]>): void {
    for (const [id, session] of saved.sessions) this.sessions.set(id, session);
    this.configuration = saved.configuration;
  }

  lookup(id: string): object | undefined {
    return id.startsWith("bps_") ? this.sessions.get(id) : undefined;
  }

  retrieve(id: string): Stripe.BillingPortal.Session {
    const session = this.sessions.get(id);
    if (!session) throw noSuch("billing_portal.session", id);

    return clone(session);
  }

  create(params: Params, context: RequestContext): Stripe.BillingPortal.Session {
    assertKnownParams(params, [
      "customer",
      "return_url",
      "locale",
      "flow_data.type",
      "flow_data.subscription_cancel.subscription",
      "flow_data.subscription_update.subscription",
      "flow_data.after_completion.type",
      "flow_data.after_completion.redirect.return_url",
      "flow_data.after_completion.hosted_confirmation.custom_message",
      "expand.*",
    ]);
    const customer = optionalString(params, "customer");
    if (customer === null) throw missingParam("customer");
    if (!this.sb.customers.has(customer)) throw noSuch("customer", customer, "customer");
    const returnUrl = optionalUrl(params, "return_url");
    const flow = this.parseFlow(params, customer);
    const id = newId.portalSession();
    const session = buildPortalSession({
      id,
      configuration: this.configuration,
      customer,
      returnUrl,
      flow,
      locale: optionalEnum(params, "locale", PORTAL_LOCALES),
      url: `${this.sb.options.publicUrl}/p/session/${id}`,
      now: this.sb.now(),
    });
    this.sessions.set(id, session);
    this.sb.inBurst(() => this.sb.emit("billing_portal.session.created", session, context));

    return clone(session);
  }

  private parseFlow(params: Params, customer: string): Stripe.BillingPortal.Session.Flow | null {
    if (getParam(params, "flow_data") === undefined) return null;
    const type = optionalEnum(params, "flow_data.type", ["payment_method_update", "subscription_cancel", "subscription_update"] as const);
    if (type === null) throw missingParam("flow_data[type]");
    const subscriptionOf = (path: string, display: string) => {
      const id = optionalString(params, path);
      if (id === null) throw missingParam(display);
      const owner = this.sb.billing.ofCustomer(customer).find((s) => s.id === id);
      if (!owner) throw noSuch("subscription", id, display);

      return id;
    };
    const afterType = optionalEnum(params, "flow_data.after_completion.type", ["hosted_confirmation", "portal_homepage", "redirect"] as const) ?? "portal_homepage";
    const redirectUrl = optionalUrl(params, "flow_data.after_completion.redirect.return_url");
    if (afterType === "redirect" && redirectUrl === null) throw missingParam("flow_data[after_completion][redirect][return_url]");

    return {
      after_completion: {
        hosted_confirmation:
          afterType === "hosted_confirmation"
            ? { custom_message: optionalString(params, "flow_data.after_completion.hosted_confirmation.custom_message", 500) }
            : null,
        redirect: afterType === "redirect" ? { return_url: redirectUrl! } : null,
        type: afterType,
      },
      customer_update: null,
      subscription_cancel:
        type === "subscription_cancel"
          ? { retention: null, subscription: subscriptionOf("flow_data.subscription_cancel.subscription", "flow_data[subscription_cancel][subscription]") }
          : null,
      subscription_pause: null,
      subscription_update:
        type === "subscription_update"
          ? { subscription: subscriptionOf("flow_data.subscription_update.subscription", "flow_data[subscription_update][subscription]") }
          : null,
      subscription_update_confirm: null,
      type,
    };
  }

  /** What the portal page lists: the customer's subscriptions, newest first. */
  page(id: string): { session: Stripe.BillingPortal.Session; customer: Stripe.Customer; subscriptions: Array<{ subscription: Stripe.Subscription; productName: string }> } {
    const session = this.retrieve(id);
    const subscriptions = this.sb.billing
      .ofCustomer(session.customer)
      .reverse()
      .map((subscription) => ({
        subscription,
        productName: this.sb.products.get(subscription.items.data[0]!.price.product as string)?.name ?? "Subscription",
      }));

    return { session, customer: this.sb.retrieveCustomer(session.customer), subscriptions };
  }

  /**
   * The `payment_method_update` flow's one form: the new card becomes the customer's default and
   * every live subscription's, with the same events as the portal's card form. Returns the session,
   * for where to go next.
   */
  updatePaymentMethod(sessionId: string, cardNumber: string): Stripe.BillingPortal.Session {
    const session = this.retrieve(sessionId);
    if (session.flow?.type !== "payment_method_update") throw noSuch("billing_portal.session", sessionId);
    if (!cardNumber) throw invalidRequest("Enter a card number.", "card", "parameter_missing");
    const live = this.sb.billing.ofCustomer(session.customer).filter((s) => s.status !== "canceled" && s.status !== "incomplete_expired");
    if (live.length === 0) throw invalidRequest("This customer has no active subscription to update.", "customer");
    for (const subscription of live) this.sb.billing.updatePaymentMethod(subscription.id, cardNumber, AUTOMATIC);

    return session;
  }

  /** A button on the portal page: the same change, and the same events, as the API call it stands for. */
  act(sessionId: string, subscriptionId: string, action: PortalAction, input: { card?: string }): Stripe.Subscription {
    const session = this.retrieve(sessionId);
    if (!this.sb.billing.ofCustomer(session.customer).some((s) => s.id === subscriptionId)) {
      throw noSuch("subscription", subscriptionId, "subscription");
    }
    switch (action) {
      case "update_card":
        if (!input.card) throw invalidRequest("Enter a card number.", "card", "parameter_missing");

        return this.sb.billing.updatePaymentMethod(subscriptionId, input.card, AUTOMATIC);
      case "cancel_at_period_end":
        return this.sb.billing.update(subscriptionId, { cancel_at_period_end: "true" }, AUTOMATIC);
      case "renew":
        return this.sb.billing.update(subscriptionId, { cancel_at_period_end: "false" }, AUTOMATIC);
      case "cancel_now":
        return this.sb.billing.cancel(subscriptionId, {}, AUTOMATIC);
    }
  }
}
