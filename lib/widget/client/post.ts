import { solveChallenge } from "@/lib/abuse/solve-challenge";
import type { Picker } from "./model";

export type ApiAnswer = {
  error?: { code?: string; fieldErrors?: Record<string, string>; challenge?: unknown };
  [key: string]: unknown;
};

/** Posts JSON to one of our endpoints, solving a proof-of-work challenge if the server asks for one. */
export async function post(picker: Picker, path: string, body: Record<string, unknown>): Promise<{ response: Response; json: ApiAnswer }> {
  // The article page may send no referrer at all, which would make the browser's Origin header
  // "null" and the server (with NEWSROOM_ORIGINS set) refuse the call: we ask for the origin alone.
  const send = async (payload: Record<string, unknown>) => {
    const response = await fetch(`${picker.config.appUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      referrerPolicy: "origin",
    });

    return { response, json: (await response.json().catch(() => ({}))) as ApiAnswer };
  };
  const first = await send(body);
  if (first.response.status !== 428 || !first.json.error?.challenge) return first;
  picker.status.textContent = picker.m.checking;

  return send({ ...body, challenge: await solveChallenge(first.json.error.challenge as never) });
}

/**
 * What to tell the reader about a refusal, in their language. The server's own messages are
 * English (they are for every client): the picker says it in its words, by the error's code.
 */
export function refusalMessage(picker: Picker, json: ApiAnswer): string {
  const { m } = picker;
  switch (json.error?.code) {
    case "RATE_LIMITED":
    case "CHALLENGE_REQUIRED":
      return m.limited;
    case "STRIPE_UNAVAILABLE":
    case "STRIPE_REFUSED":
      return m.provider;
    default:
      return m.failed;
  }
}
