import { env, type KillPoint } from "@/lib/env";

/**
 * A moment where a process may die in production (a deploy, an out-of-memory kill, a lost machine)
 * and the ledger must not notice. With TEST_KILL_AT naming it, the process SIGKILLs itself here, as
 * the crash tests (tests/e2e/killed.spec.ts) ask: no cleanup, no answer, no commit. TEST_KILL_AT is
 * refused in production, and unset this is one comparison.
 *
 * - webhook-stored: a delivery's event is committed to the inbox; Stripe has no answer yet.
 * - batch-applying: a batch's first event is applied inside its transaction; nothing committed.
 * - email-sent: the SMTP server accepted a message; the outbox does not know it yet.
 */
export function killPoint(point: KillPoint): void {
  if (env().killAt === point) process.kill(process.pid, "SIGKILL");
}
