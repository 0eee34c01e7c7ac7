// GET /api/health: readiness, for load balancers and start-up scripts: 200 while the database
// answers, 503 with Retry-After while it cannot be reached. Liveness alone is /api/health/live.
// The body also reports the work waiting in the database (the webhook inbox, the email outbox), for
// alerting: a backlog is every instance's, so it never turns an instance's answer into a 503.
import { workBacklog } from "@/db/queries/health";
import { attentionFor } from "@/lib/health";
import { DATABASE_RETRY_AFTER_SECONDS, logDatabaseUnavailable, withDatabaseTimeout } from "@/lib/errors";
import { traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// Well under a load balancer's usual check timeout, so it hears "unreachable" rather than nothing.
const DATABASE_CHECK_MS = 2000;
async function get(): Promise<Response> {
  try {
    const backlog = await withDatabaseTimeout(workBacklog(), DATABASE_CHECK_MS);

    return Response.json(
      { ok: true, database: "ok", ...backlog, attention: attentionFor(backlog) },
      { headers: { "cache-control": "no-store" } },
    );
  } catch (error) {
    logDatabaseUnavailable("health", error);

    return Response.json(
      { ok: false, database: "unreachable" },
      { status: 503, headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS), "cache-control": "no-store" } },
    );
  }
}
export const GET = traced(get);
