// GET /api/health/live: liveness only (the process answers; no database), and the benchmark's
// trivial baseline route. Readiness, with the database, is /api/health.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ ok: true });
}
