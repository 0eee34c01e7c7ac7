import type Stripe from "stripe";

const escape = (value: string) =>
  value.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

export function formatAmount(amountMinor: number, currency: string, locale = "en"): string {
  const fractionDigits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;

  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amountMinor / 10 ** fractionDigits);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escape(title)}</title>
<style>
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; background: #f6f9fc; color: #1a1f36; }
  .banner { background: #ffde92; color: #5c3b00; text-align: center; font-size: .85rem; padding: .4rem; }
  main { max-width: 26rem; margin: 2rem auto; background: #fff; border-radius: 8px; padding: 1.5rem 2rem 2rem; box-shadow: 0 2px 8px rgba(0,0,0,.08); }
  h1 { font-size: 1.1rem; margin: 0 0 .25rem; font-weight: 600; }
  .amount { font-size: 2rem; font-weight: 700; margin: .25rem 0 1.25rem; }
  label { display: block; font-size: .9rem; margin: .9rem 0 .3rem; }
  input { width: 100%; box-sizing: border-box; font: inherit; padding: .55rem .6rem; border: 1px solid #aab0c0; border-radius: 6px; }
  input:focus, button:focus, a:focus { outline: 3px solid #635bff; outline-offset: 2px; }
  .row { display: flex; gap: .75rem; } .row > div { flex: 1; }
  button { width: 100%; margin-top: 1.4rem; font: inherit; font-weight: 600; padding: .75rem; border: 0; border-radius: 6px; background: #635bff; color: #fff; cursor: pointer; }
  button.secondary { background: #e3e8ee; color: #1a1f36; }
  .error { background: #fde8e8; color: #8a1c1c; border-radius: 6px; padding: .6rem .8rem; margin-top: 1rem; }
  .back { display: inline-block; margin-bottom: 1rem; color: #425466; }
  .hint { font-size: .8rem; color: #556; margin-top: 1.2rem; }
  .notice { background: #e6f4ea; color: #1e4620; border-radius: 6px; padding: .6rem .8rem; margin-top: 1rem; }
  section.subscription { border-top: 1px solid #e3e8ee; padding-top: 1rem; margin-top: 1.25rem; }
  section.subscription h2 { font-size: 1rem; margin: 0 0 .25rem; }
  .status { font-size: .9rem; color: #425466; margin: .25rem 0 .5rem; }
  form.inline button { margin-top: .6rem; }
</style>
</head>
<body>
<div class="banner">Stripe stand-in (test mode): no real card is charged</div>
<main>${body}</main>
</body>
</html>`;
}

/** "per month", "every 3 months": how Stripe's pages state a recurring price. */
export function formatInterval(recurring: { interval: string; interval_count: number }): string {
  return recurring.interval_count === 1 ? `per ${recurring.interval}` : `every ${recurring.interval_count} ${recurring.interval}s`;
}

function submitLabel(session: Stripe.Checkout.Session): string {
  switch (session.submit_type) {
    case "donate":
      return "Donate";
    case "book":
      return "Book";
    case "pay":
      return "Pay";
    default:
      return session.mode === "subscription" ? "Subscribe" : "Pay";
  }
}

export function checkoutPage(input: {
  session: Stripe.Checkout.Session;
  productName: string;
  recurring?: { interval: string; interval_count: number } | null;
  error?: string;
  email?: string;
  name?: string;
}): string {
  const { session } = input;
  const price = formatAmount(session.amount_total ?? 0, session.currency ?? "usd");
  const amount = input.recurring ? `${price} ${formatInterval(input.recurring)}` : price;
  const buttonLabel = submitLabel(session);
  const back = session.cancel_url ? `<a class="back" href="${escape(session.cancel_url)}">&larr; Back</a>` : "";
  const emailValue = escape(input.email ?? session.customer_email ?? "");

  return layout(
    `${buttonLabel} ${amount}`,
    `${back}
<h1>${escape(input.productName)}</h1>
<p class="amount" data-testid="checkout-amount">${escape(amount)}</p>
<form method="post" action="/c/pay/${escape(session.id)}" novalidate>
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${emailValue}"${session.customer_email ? " readonly" : ""}>
  <label for="cardNumber">Card number</label>
  <input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" required>
  <div class="row">
    <div><label for="cardExpiry">Expiry (MM / YY)</label>
    <input id="cardExpiry" name="cardExpiry" autocomplete="cc-exp" placeholder="MM / YY" required></div>
    <div><label for="cardCvc">CVC</label>
    <input id="cardCvc" name="cardCvc" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC" required></div>
  </div>
  <label for="billingName">Cardholder name</label>
  <input id="billingName" name="billingName" autocomplete="cc-name" value="${escape(input.name ?? "")}">
  ${input.error ? `<p class="error" role="alert" data-testid="checkout-error">${escape(input.error)}</p>` : ""}
  <button type="submit">${buttonLabel}</button>
</form>
<p class="hint">Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined; 4000 0025 0000 3155 asks for authentication.</p>`,
  );
}

export function authenticationPage(session: Stripe.Checkout.Session): string {
  const amount = formatAmount(session.amount_total ?? 0, session.currency ?? "usd");

  return layout(
    "Authenticate your payment",
    `<h1>3D Secure test authentication</h1>
<p>Your bank asks you to confirm the payment of <strong>${escape(amount)}</strong>.</p>
<form method="post" action="/c/pay/${escape(session.id)}/authenticate">
  <button type="submit" name="result" value="complete">Complete authentication</button>
  <button type="submit" name="result" value="fail" class="secondary">Fail authentication</button>
</form>`,
  );
}

export function inactivePage(session: Stripe.Checkout.Session | null): string {
  const reason =
    session?.status === "complete" ? "This payment has already been completed." : "This checkout session has expired or does not exist.";
  const back = session?.cancel_url ? `<p><a href="${escape(session.cancel_url)}">Return to the site</a></p>` : "";

  return layout("Checkout unavailable", `<h1>Checkout unavailable</h1><p>${reason}</p>${back}`);
}

const longDate = (unix: number) =>
  new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(unix * 1000);

function subscriptionStatus(subscription: Stripe.Subscription): string {
  const item = subscription.items.data[0]!;
  if (subscription.status === "canceled") return `Canceled${subscription.ended_at ? ` on ${longDate(subscription.ended_at)}` : ""}`;
  if (subscription.cancel_at !== null) return `Cancels on ${longDate(subscription.cancel_at)}`;
  const state = subscription.status === "past_due" ? "Past due" : "Active";
  const paused = subscription.pause_collection ? ", payments paused" : "";

  return `${state}${paused}. Renews on ${longDate(item.current_period_end)}`;
}

/** The customer portal: the supporter's subscriptions and what can be done with each. No JavaScript. */
export function portalPage(input: {
  session: Stripe.BillingPortal.Session;
  customer: Stripe.Customer;
  subscriptions: Array<{ subscription: Stripe.Subscription; productName: string }>;
  notice?: string;
  error?: string;
}): string {
  const { session } = input;
  if (session.flow?.type === "payment_method_update") return paymentMethodFlowPage(input);
  const base = `/p/session/${escape(session.id)}/subscriptions`;
  const sections = input.subscriptions.map(({ subscription, productName }) => {
    const item = subscription.items.data[0]!;
    const amount = `${formatAmount((item.price.unit_amount ?? 0) * (item.quantity ?? 1), item.price.currency)} ${formatInterval(item.price.recurring!)}`;
    const heading = `h-${escape(subscription.id)}`;
    const action = (name: string, label: string, secondary = false) =>
      `<form class="inline" method="post" action="${base}/${escape(subscription.id)}/${name}"><button type="submit"${secondary ? ' class="secondary"' : ""} aria-describedby="${heading}">${label}</button></form>`;
    const live = subscription.status !== "canceled";
    const scheduled = subscription.cancel_at !== null;
    const actions = live
      ? `<form method="post" action="${base}/${escape(subscription.id)}/update_card">
  <label for="card-${escape(subscription.id)}">New card number</label>
  <input id="card-${escape(subscription.id)}" name="cardNumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" required>
  <button type="submit" aria-describedby="${heading}">Update card</button>
</form>
${scheduled ? action("renew", "Renew") : action("cancel_at_period_end", "Cancel at end of period", true)}
${action("cancel_now", "Cancel now", true)}`
      : "";

    return `<section class="subscription" aria-labelledby="${heading}">
<h2 id="${heading}">${escape(productName)}: ${escape(amount)}</h2>
<p class="status" data-testid="subscription-status">${escape(subscriptionStatus(subscription))}</p>
${actions}
</section>`;
  });
  const back = session.return_url ? `<a class="back" href="${escape(session.return_url)}">&larr; Return to the site</a>` : "";

  return layout(
    "Manage your subscriptions",
    `${back}
<h1>Manage your subscriptions</h1>
<p>${escape(input.customer.email ?? input.customer.name ?? "")}</p>
${input.notice ? `<p class="notice" role="status">${escape(input.notice)}</p>` : ""}
${input.error ? `<p class="error" role="alert">${escape(input.error)}</p>` : ""}
${sections.length > 0 ? sections.join("\n") : "<p>You have no subscriptions.</p>"}`,
  );
}

/** The portal's `payment_method_update` flow: only the new card, then back where the session says. */
function paymentMethodFlowPage(input: { session: Stripe.BillingPortal.Session; customer: Stripe.Customer; error?: string }): string {
  const { session } = input;
  const back = session.return_url ? `<a class="back" href="${escape(session.return_url)}">&larr; Return to the site</a>` : "";

  return layout(
    "Update your payment method",
    `${back}
<h1>Update your payment method</h1>
<p>${escape(input.customer.email ?? input.customer.name ?? "")}</p>
${input.error ? `<p class="error" role="alert">${escape(input.error)}</p>` : ""}
<form method="post" action="/p/session/${escape(session.id)}/payment_method">
  <label for="cardNumber">Card number</label>
  <input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" required>
  <button type="submit">Save card</button>
</form>
<p class="hint">Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0341 is saved but declined when charged; 4000 0000 0000 0002 is declined.</p>`,
  );
}

/** The hosted invoice page: pay an open invoice, or complete 3D Secure for a renewal that asks for it. */
export function invoicePage(input: { invoice: Stripe.Invoice; productName: string; requiresAction: boolean; notice?: string; error?: string }): string {
  const { invoice } = input;
  const amount = formatAmount(invoice.amount_remaining > 0 ? invoice.amount_remaining : invoice.amount_due, invoice.currency);
  const action = `/i/${escape(invoice.id)}`;
  const payable = invoice.status === "open" || invoice.status === "uncollectible";
  let body: string;
  if (invoice.status === "paid") {
    body = `<p role="status">Paid on ${longDate(invoice.status_transitions.paid_at ?? invoice.created)}. Thank you.</p>`;
  } else if (!payable) {
    body = `<p>This invoice cannot be paid (${escape(invoice.status ?? "unknown")}).</p>`;
  } else if (input.requiresAction) {
    body = `<p>Your bank asks you to confirm this payment.</p>
<form method="post" action="${action}">
  <button type="submit" name="result" value="complete">Complete authentication</button>
  <button type="submit" name="result" value="fail" class="secondary">Fail authentication</button>
</form>`;
  } else {
    body = `<form method="post" action="${action}">
  <label for="cardNumber">Card number (leave empty to use the card on file)</label>
  <input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234">
  <button type="submit">Pay ${escape(amount)}</button>
</form>`;
  }

  return layout(
    `Invoice ${invoice.number ?? invoice.id}`,
    `<h1>${escape(input.productName)}</h1>
<p>Invoice ${escape(invoice.number ?? invoice.id)}</p>
<p class="amount" data-testid="invoice-amount">${escape(amount)}</p>
${input.notice ? `<p class="notice" role="status">${escape(input.notice)}</p>` : ""}
${input.error ? `<p class="error" role="alert">${escape(input.error)}</p>` : ""}
${body}`,
  );
}
