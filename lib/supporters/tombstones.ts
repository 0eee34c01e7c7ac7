import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { erasedStripeCustomers, erasures } from "@/db/schema";
import { env } from "@/lib/env";

/**
 * What is left of an erased supporter: HMAC-SHA256 under APP_SECRET of their lower-cased address and
 * of each of their Stripe customer ids. A hash is enough to recognise them again (a webhook replayed
 * after the erasure) and says nothing to anyone without the secret.
 */
export function tombstoneHash(value: string): string {
  return createHmac("sha256", env().appSecret).update(value).digest("hex");
}

// An address always holds an @ and a customer id never does, so the two kinds cannot collide.
export const emailTombstone = (email: string) => tombstoneHash(email.trim().toLowerCase());
export const customerTombstone = (stripeCustomerId: string) => tombstoneHash(stripeCustomerId);

/**
 * Whether a supporter with this address, or behind this Stripe customer, asked to be erased: the
 * webhook path then records the money fact with no supporter and queues no email.
 */
export async function isErased(db: Queryable, who: { email?: string | null; stripeCustomerId?: string | null }): Promise<boolean> {
  if (!who.email && !who.stripeCustomerId) return false;
  const byEmail = who.email ? sql`exists (select 1 from ${erasures} where ${erasures.emailHash} = ${emailTombstone(who.email)})` : sql`false`;
  const byCustomer = who.stripeCustomerId
    ? sql`exists (select 1 from ${erasedStripeCustomers} where ${erasedStripeCustomers.customerHash} = ${customerTombstone(who.stripeCustomerId)})`
    : sql`false`;
  const [row] = await db.select({ erased: sql<boolean>`${byEmail} or ${byCustomer}` }).from(sql`(select 1) as one`);

  return row?.erased === true;
}
