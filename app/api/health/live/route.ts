// GET /api/health/live: liveness only (the process answers; no database), and the benchmark's
// trivial baseline route. Readiness, with the database, is /api/health.
import { traced } from "@/lib/http";

export const dynamic = "force-dynamic";

function get(): Response {
  return Response.json({ ok: true });
}
export const GET = traced(get);
