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
</style>
</head>
<body>
<div class="banner">Stripe stand-in (test mode): no real card is charged</div>
<main>${body}</main>
</body>
</html>`;
}

export function checkoutPage(input: {
  session: Stripe.Checkout.Session;
  productName: string;
  error?: string;
  email?: string;
  name?: string;
}): string {
  const { session } = input;
  const amount = formatAmount(session.amount_total ?? 0, session.currency ?? "usd");
  const buttonLabel = session.submit_type === "donate" ? "Donate" : "Pay";
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
