// POST (or GET, as some platforms' crons call) /api/cron: runs due work (scheduled work, webhook
// events and emails due for a retry) for a platform's cron. Needs `Authorization: Bearer
// <CRON_SECRET>`; without CRON_SECRET set it does not exist.
import { timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { runDueWork } from "@/lib/scheduled/run";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

function authorized(header: string | null, secret: string): boolean {
  const match = header === null ? null : /^Bearer (.+)$/.exec(header);
  const given = Buffer.from(match?.[1] ?? "");
  const wanted = Buffer.from(secret);

  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function POST(request: Request): Promise<Response> {
  const secret = env().cronSecret;
  if (!secret) return Response.json({ error: "Not found" }, { status: 404 });
  if (!authorized(request.headers.get("authorization"), secret)) {
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

export const GET = POST;
