import { notInArray } from "drizzle-orm";
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { getDb } from "@/db";
import { auditLog } from "@/db/schema";
import type { ActionState } from "@/lib/actions/action";
import { controlFlowOf } from "./next";

/** The ids of the audit log's lines so far: what a test compares the log against afterwards. */
export async function auditIds(): Promise<string[]> {
  return (await getDb().select({ id: auditLog.id }).from(auditLog)).map((line) => line.id);
}

/** The lines written since `seen` was taken, oldest first. */
export async function auditSince(seen: string[]) {
  const db = getDb();
  const lines = await (seen.length === 0 ? db.select().from(auditLog) : db.select().from(auditLog).where(notInArray(auditLog.id, seen)));

  return lines.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** A server action as a form post calls it (useActionState's first call, or a page without JavaScript). */
export async function post<T>(serverAction: (previous: ActionState<T>, form: FormData) => Promise<ActionState<T>>, fields: Record<string, string>): Promise<ActionState<T>> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);

  return serverAction(null, form);
}

/**
 * What a page answers as Next would serve it: its HTML, a redirect (redirect() throws its target in
 * the digest), or a 403 (forbidden() throws it). forbidden() works only where Next's
 * `experimental.authInterrupts` is on: call `vi.stubEnv("__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS", "true")`.
 */
export async function pageOutcome(page: () => Promise<ReactElement>): Promise<{ html: string } | { redirectedTo: string } | { status: number }> {
  try {
    return { html: renderToStaticMarkup(await page()) };
  } catch (error) {
    const flow = controlFlowOf(error);
    if (!flow) throw error;

    return flow.kind === "redirect" ? { redirectedTo: flow.to } : { status: flow.status };
  }
}
