import { rawQuery } from "@/db";

/** The work waiting in the database, shared by every instance: what a load balancer may ignore and an alert should not. */
export type WorkBacklog = {
  inbox: { pending: number; retrying: number; oldestPendingSeconds: number | null; parked: number };
  outbox: { pending: number; oldestPendingSeconds: number | null; failed: number };
};

/**
 * One round trip, each part read through a partial index (pending, parked, failed), so a health
 * check costs the same with ten events kept or ten million. Ages are whole seconds by the
 * database's clock, which is the one that stamped the rows.
 */
export async function workBacklog(): Promise<WorkBacklog> {
  const [row] = await rawQuery<Record<string, string | number | null>>(
    `select inbox.pending as inbox_pending, inbox.retrying as inbox_retrying, inbox.oldest as inbox_oldest,
       (select count(*) from stripe_events where status = 'failed') as inbox_parked,
       outbox.pending as outbox_pending, outbox.oldest as outbox_oldest,
       (select count(*) from outbound_emails where status = 'failed') as outbox_failed
     from (select count(*) as pending, count(*) filter (where attempts > 0) as retrying, floor(extract(epoch from now() - min(received_at))) as oldest
             from stripe_events where status = 'pending') inbox,
          (select count(*) as pending, floor(extract(epoch from now() - min(created_at))) as oldest
             from outbound_emails where status in ('pending', 'sending')) outbox`,
    [],
  );
  const count = (value: string | number | null | undefined) => Number(value ?? 0);
  const age = (value: string | number | null | undefined) => (value === null || value === undefined ? null : Math.max(0, Number(value)));

  return {
    inbox: {
      pending: count(row?.inbox_pending),
      retrying: count(row?.inbox_retrying),
      oldestPendingSeconds: age(row?.inbox_oldest),
      parked: count(row?.inbox_parked),
    },
    outbox: { pending: count(row?.outbox_pending), oldestPendingSeconds: age(row?.outbox_oldest), failed: count(row?.outbox_failed) },
  };
}
