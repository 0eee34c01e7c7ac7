import { asc, eq, inArray, or, sql } from "drizzle-orm";
import { getDb, type Queryable } from "@/db";
import { ofSupporter, paymentHistory } from "@/db/queries/account";
import {
  disputes,
  giftRequests,
  gifts,
  outboundEmails,
  paymentFailures,
  recurringGifts,
  refunds,
  reminders,
  sessions,
  stripeCustomers,
  supporters,
  users,
} from "@/db/schema";
import type { Actor } from "./actor";

/**
 * Everything we hold about the signed-in person, as one JSON document they can download: the
 * supporter and their preferences, their sign-in users and sessions (when each expires, never the
 * token), Stripe customers, gifts, recurring gifts, payments with their refunds and disputes, failed
 * renewals, changes they asked for, reminders left at their address, and the emails we sent or
 * queued for them. Null for anyone not signed in. Secrets that are ours rather than theirs (session
 * tokens, the key that signs a gift's manage links) are left out.
 */
export async function exportFor(actor: Actor, db: Queryable = getDb()) {
  if (actor.kind !== "supporter") return null;
  const email = actor.email.trim().toLowerCase();
  const [supporter] = await db.select().from(supporters).where(eq(supporters.email, email));
  const userRows = await db
    .select({ id: users.id, email: users.email, name: users.name, emailVerified: users.emailVerified, createdAt: users.createdAt })
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`);
  const sessionRows =
    userRows.length === 0
      ? []
      : await db
          .select({ userId: sessions.userId, expires: sessions.expires })
          .from(sessions)
          .where(inArray(sessions.userId, userRows.map((u) => u.id)));

  const supporterId = supporter?.id ?? null;
  const giftRows = supporterId ? await db.select().from(gifts).where(eq(gifts.supporterId, supporterId)).orderBy(asc(gifts.givenAt)) : [];
  const recurringRows = supporterId
    ? (await db.select().from(recurringGifts).where(eq(recurringGifts.supporterId, supporterId)).orderBy(asc(recurringGifts.startedAt))).map(
        ({ manageKey: _secret, ...rest }) => rest,
      )
    : [];
  const payments = supporterId ? await paymentHistory(db, ofSupporter(supporterId)) : [];
  const paymentIds = payments.map((p) => p.paymentId);
  const recurringIds = recurringRows.map((g) => g.id);

  return {
    exportedAt: new Date().toISOString(),
    about: "Everything Readerfund holds about this address. Amounts are in the currency's minor unit (cents), beside the currency.",
    supporter: supporter ?? null,
    preferences: supporter
      ? { locale: supporter.locale, receipts: supporter.wantsReceipts, reminders: supporter.wantsReminders, statements: supporter.wantsStatements, discreet: supporter.discreet }
      : null,
    users: userRows,
    sessions: sessionRows,
    stripeCustomers: supporterId ? await db.select().from(stripeCustomers).where(eq(stripeCustomers.supporterId, supporterId)) : [],
    gifts: giftRows,
    recurringGifts: recurringRows,
    payments,
    refunds: paymentIds.length > 0 ? await db.select().from(refunds).where(inArray(refunds.paymentId, paymentIds)).orderBy(asc(refunds.refundedAt)) : [],
    disputes: paymentIds.length > 0 ? await db.select().from(disputes).where(inArray(disputes.paymentId, paymentIds)).orderBy(asc(disputes.openedAt)) : [],
    paymentFailures:
      recurringIds.length > 0 ? await db.select().from(paymentFailures).where(inArray(paymentFailures.recurringGiftId, recurringIds)).orderBy(asc(paymentFailures.failedAt)) : [],
    giftRequests:
      recurringIds.length > 0 ? await db.select().from(giftRequests).where(inArray(giftRequests.recurringGiftId, recurringIds)).orderBy(asc(giftRequests.requestedAt)) : [],
    reminders: await db.select().from(reminders).where(eq(reminders.email, email)).orderBy(asc(reminders.createdAt)),
    emails: await db
      .select({
        template: outboundEmails.template,
        toAddress: outboundEmails.toAddress,
        locale: outboundEmails.locale,
        subject: outboundEmails.subject,
        status: outboundEmails.status,
        props: outboundEmails.props,
        createdAt: outboundEmails.createdAt,
        sentAt: outboundEmails.sentAt,
      })
      .from(outboundEmails)
      .where(supporterId ? or(eq(outboundEmails.supporterId, supporterId), sql`lower(${outboundEmails.toAddress}) = ${email}`) : sql`lower(${outboundEmails.toAddress}) = ${email}`)
      .orderBy(asc(outboundEmails.createdAt)),
  };
}

export type SupporterExport = NonNullable<Awaited<ReturnType<typeof exportFor>>>;
