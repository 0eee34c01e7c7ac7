import { desc, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { mailboxMessages, outboundEmails } from "@/db/schema";

/** The local mailbox, newest first (only runs without SMTP fill it). */
export async function listMailbox(limit = 200) {
  return getDb()
    .select({ id: mailboxMessages.id, toAddress: mailboxMessages.toAddress, subject: mailboxMessages.subject, receivedAt: mailboxMessages.receivedAt })
    .from(mailboxMessages)
    .orderBy(desc(mailboxMessages.receivedAt))
    .limit(limit);
}

export async function findMailboxMessage(id: string) {
  const [row] = await getDb().select().from(mailboxMessages).where(eq(mailboxMessages.id, id));

  return row ?? null;
}

/** How many outbox messages are in each status, and the ones that failed for good with why. */
export async function outboxSummary() {
  const db = getDb();
  const counts = await db
    .select({ status: outboundEmails.status, n: sql<number>`count(*)::int` })
    .from(outboundEmails)
    .groupBy(outboundEmails.status);
  const failed = await db
    .select({ id: outboundEmails.id, template: outboundEmails.template, toAddress: outboundEmails.toAddress, lastError: outboundEmails.lastError, createdAt: outboundEmails.createdAt })
    .from(outboundEmails)
    .where(eq(outboundEmails.status, "failed"))
    .orderBy(desc(outboundEmails.createdAt))
    .limit(50);

  return { counts: Object.fromEntries(counts.map((c) => [c.status, c.n])) as Partial<Record<string, number>>, failed };
}
