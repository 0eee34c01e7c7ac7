// GET /api/health: liveness only (no database), for load balancers and as the benchmark baseline.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ ok: true });
}
