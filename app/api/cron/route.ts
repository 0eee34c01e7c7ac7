// POST (or GET, as some platforms' crons call) /api/cron: runs due work (scheduled work, webhook
// events and emails due for a retry) for a platform's cron. Needs `Authorization: Bearer
// <CRON_SECRET>`; without CRON_SECRET set it does not exist.
import { env } from "@/lib/env";
import { hasBearer, traced } from "@/lib/http";
import { log } from "@/lib/log";
import { runDueWork } from "@/lib/scheduled/run";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  const secret = env().cronSecret;
  if (!secret) return Response.json({ error: "Not found" }, { status: 404 });
  if (!hasBearer(request, secret)) {
    return Response.json({ error: "Authorization: Bearer <CRON_SECRET> is required" }, { status: 401, headers: { "www-authenticate": "Bearer" } });
  }
  try {
    const result = await runDueWork();

    return Response.json(result, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    log.error("cron run failed", { error });

    return Response.json({ error: "Due work could not run; it will be picked up on the next run" }, { status: 500 });
  }
}
export const POST = traced(post);

export const GET = traced(post);
