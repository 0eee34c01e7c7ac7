import Stripe from "stripe";

/**
 * Distinct paid one-time gifts made on the stand-in (its webhooks off), and the
 * checkout.session.completed event of each, as Stripe would send it: the bodies a benchmark posts to
 * the webhook route, signed just before it does.
 */
export async function makeCompletedEvents(sandboxUrl: string, count: number): Promise<string[]> {
  const target = new URL(sandboxUrl);
  const stripe = new Stripe("sk_test_bench", { host: target.hostname, port: target.port, protocol: "http", telemetry: false });
  const lanes = 8;
  let made = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (made < count) {
        made++;
        const session = await stripe.checkout.sessions.create({
          mode: "payment",
          customer_creation: "always",
          line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 1000 + (made % 9000), product_data: { name: "Gift" } } }],
          metadata: { kind: "readerfund_gift", frequency: "once", locale: "en", campaign: "bench" },
          success_url: "http://localhost/thank-you?session_id={CHECKOUT_SESSION_ID}",
        });
        const paid = await fetch(`${sandboxUrl}/_sandbox/checkout/sessions/${session.id}/pay`, {
          method: "POST",
          body: JSON.stringify({ email: `bench${made % 500}@example.org`, card: "4242424242424242" }),
        });
        if (!paid.ok) throw new Error(`pay failed: ${paid.status}`);
      }
    }),
  );
  const response = await fetch(`${sandboxUrl}/_sandbox/events?type=checkout.session.completed`);
  const { data } = (await response.json()) as { data: Stripe.Event[] };

  return data.slice(-count).map((event) => JSON.stringify(event, null, 2));
}
