// GET /account/export: the signed-in person's data as JSON.
import { currentActor } from "@/lib/auth/current-actor";
import { exportResponse } from "./respond";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return exportResponse(await currentActor());
}
