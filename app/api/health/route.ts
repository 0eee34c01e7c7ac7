// GET /api/health: readiness, for load balancers and start-up scripts: 200 while the database
// answers, 503 with Retry-After while it cannot be reached. Liveness alone is /api/health/live.
import { pingDatabase } from "@/db/queries/health";
import { DATABASE_RETRY_AFTER_SECONDS, logDatabaseUnavailable, withDatabaseTimeout } from "@/lib/errors";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// Well under a load balancer's usual check timeout, so it hears "unreachable" rather than nothing.
const DATABASE_CHECK_MS = 2000;

export async function GET(): Promise<Response> {
  try {
    await withDatabaseTimeout(pingDatabase(), DATABASE_CHECK_MS);

    return Response.json({ ok: true, database: "ok" }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    logDatabaseUnavailable("health", error);

    return Response.json(
      { ok: false, database: "unreachable" },
      { status: 503, headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS), "cache-control": "no-store" } },
    );
  }
}
