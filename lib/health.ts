import type { WorkBacklog } from "@/db/queries/health";

// Workers poll every few seconds and are woken by each delivery: an event waiting this long means
// no worker is keeping up. Emails back off between retries, so theirs is longer.
const INBOX_STALE_SECONDS = 300;
const OUTBOX_STALE_SECONDS = 3600;

/** What a person should look at, in words an alert can carry as they are. */
export function attentionFor(backlog: WorkBacklog): string[] {
  const notes: string[] = [];
  if (backlog.inbox.parked > 0) notes.push(`${backlog.inbox.parked} webhook event(s) parked after failing: see /finance/inbox`);
  if ((backlog.inbox.oldestPendingSeconds ?? 0) > INBOX_STALE_SECONDS) {
    notes.push(`the oldest webhook event waiting to be applied arrived ${backlog.inbox.oldestPendingSeconds} s ago`);
  }
  if (backlog.outbox.failed > 0) notes.push(`${backlog.outbox.failed} email(s) given up on`);
  if ((backlog.outbox.oldestPendingSeconds ?? 0) > OUTBOX_STALE_SECONDS) {
    notes.push(`the oldest email waiting to be sent was queued ${backlog.outbox.oldestPendingSeconds} s ago`);
  }

  return notes;
}
