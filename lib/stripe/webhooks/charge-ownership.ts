import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { getDb } from "@/db";
import { payments } from "@/db/schema";
import { readGiftMetadata } from "../metadata";

/**
 * Whether a charge is a gift's: true when its payment is in our ledger already, or when Stripe says
 * so (our metadata on the PaymentIntent of a one-time gift, or on the subscription of the invoice it
 * paid; since API basil a charge no longer names its invoice, so that link goes through Stripe's
 * invoice payments). A charge of another integration on the same account is not ours, and its
 * events change nothing; one of ours whose payment is not recorded yet makes its event wait.
 */
export async function isGiftCharge(stripe: Stripe, chargeOrId: string | Stripe.Charge): Promise<boolean> {
  const chargeId = typeof chargeOrId === "string" ? chargeOrId : chargeOrId.id;
  const [recorded] = await getDb().select({ id: payments.id }).from(payments).where(eq(payments.stripeChargeId, chargeId)).limit(1);
  if (recorded) return true;
  // A caller that has read the charge with its payment_intent expanded saves us reading it again.
  const charge =
    typeof chargeOrId !== "string" && typeof chargeOrId.payment_intent !== "string"
      ? chargeOrId
      : await stripe.charges.retrieve(chargeId, { expand: ["payment_intent"] });
  const paymentIntent = charge.payment_intent;
  if (paymentIntent === null || typeof paymentIntent === "string") return readGiftMetadata(charge.metadata).isOurs;
  if (readGiftMetadata(paymentIntent.metadata).isOurs) return true;
  const invoicePayments = await stripe.invoicePayments.list({
    payment: { type: "payment_intent", payment_intent: paymentIntent.id },
    limit: 1,
    expand: ["data.invoice"],
  });
  const invoice = invoicePayments.data[0]?.invoice;
  if (!invoice || typeof invoice === "string" || invoice.deleted) return false;

  return readGiftMetadata(invoice.parent?.subscription_details?.metadata).isOurs;
}

/** Our payment for a Stripe charge, inside the transaction that writes what reverses it. */
export async function paymentIdForCharge(tx: Pick<ReturnType<typeof getDb>, "select">, chargeId: string): Promise<string | null> {
  const [row] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.stripeChargeId, chargeId)).limit(1);

  return row?.id ?? null;
}
