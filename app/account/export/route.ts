// GET /account/export: the signed-in person's data as JSON.
import { currentActor } from "@/lib/auth/current-actor";
import { exportResponse } from "./respond";
import { traced } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function get(): Promise<Response> {
  return exportResponse(await currentActor());
}
export const GET = traced(get);
