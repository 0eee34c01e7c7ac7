import { timingSafeEqual } from "node:crypto";
import { forwardedClientAddress } from "@/lib/abuse/client-ip";
import { env } from "@/lib/env";
import { AppError, toAppError } from "@/lib/errors";
import type { SafeHtml } from "@/lib/html";
import { describeError, log, newRequestId, withRequestId } from "@/lib/log";

/**
 * The one place in lib/ that speaks HTTP: reading requests (bodies, media types, the client's
 * address), CORS, and turning results and AppErrors into responses. Route handlers under app/ are
 * thin adapters over it and the domain functions, which take parsed input and return typed results
 * or throw AppErrors; server actions reach the same functions through lib/actions/action.ts.
 */

// ── Request ids ─────────────────────────────────────────────────────────────────────────────────

export const REQUEST_ID_HEADER = "x-request-id";

/**
 * A route handler that runs under a request id of its own (lib/log.ts): every line it logs carries
 * the id, the work it leaves for a worker (an inbox event, a queued email) keeps it, and the answer
 * names it in X-Request-Id, so a person holding a failed response can find all of it. The id is ours,
 * never taken from the request: a client cannot make its lines read as another request's.
 */
export function traced<A extends unknown[], R extends Response | Promise<Response>>(handler: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    const requestId = newRequestId();
    const answer = withRequestId(requestId, () => handler(...args));

    return (answer instanceof Promise ? answer.then((response) => named(response, requestId)) : named(answer as Response, requestId)) as R;
  };
}

function named(response: Response, requestId: string): Response {
  try {
    response.headers.set(REQUEST_ID_HEADER, requestId);

    return response;
  } catch {
    // Response.redirect() and fetched responses have headers that cannot change: copy them once.
    const copy = new Response(response.body, response);
    copy.headers.set(REQUEST_ID_HEADER, requestId);

    return copy;
  }
}

// ── Reading requests ────────────────────────────────────────────────────────────────────────────

/**
 * Reads a request body as UTF-8 text, refusing it once it passes `maxBytes` (whatever
 * Content-Length claimed, or with none: a chunked body is counted as it arrives, never buffered
 * whole first). Null means too large.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) return null;
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});

      return null;
    }
    chunks.push(value);
  }

  return Buffer.concat(chunks).toString("utf8");
}

/** A request's media type without parameters, lower-cased ("Application/JSON; charset=UTF-8" → "application/json"). */
export function mediaTypeOf(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

const MEDIA_TYPES = { json: "application/json", form: "application/x-www-form-urlencoded" } as const;
type InputKind = keyof typeof MEDIA_TYPES;

export type RequestInput = { kind: InputKind; fields: Record<string, unknown>; form: URLSearchParams | null };

/**
 * A JSON object or a form post, as fields: 415 for another media type, 413 past `maxBytes`, 400 for
 * JSON that is not an object. A form's repeated names keep their first value; `form` keeps them all.
 */
export async function readInput(request: Request, options: { maxBytes: number; accept: readonly InputKind[]; what: string }): Promise<RequestInput> {
  const mediaType = mediaTypeOf(request);
  const kind = options.accept.find((k) => MEDIA_TYPES[k] === mediaType);
  if (!kind) {
    const accepted = options.accept.map((k) => (k === "json" ? "as JSON (application/json)" : "as a form (application/x-www-form-urlencoded)")).join(" or ");
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", `Send ${options.what} ${accepted}.`);
  }
  const text = await readBodyText(request, options.maxBytes);
  if (text === null) throw new AppError("PAYLOAD_TOO_LARGE", "The request is too large.");
  if (kind === "form") {
    const form = new URLSearchParams(text);
    const fields: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) if (!(key in fields)) fields[key] = value;

    return { kind, fields, form };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "The request body is not valid JSON.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new AppError("BAD_REQUEST", "The request body must be a JSON object.");

  return { kind, fields: parsed as Record<string, unknown>, form: null };
}

/**
 * The client's address as our nearest proxy wrote it (CLIENT_IP_HEADER), or null without a proxy
 * we trust. For hashing only: never log it or store it.
 */
export function clientAddressOf(request: Request): string | null {
  const header = env().clientIpHeader;

  return header === null ? null : forwardedClientAddress(request.headers.get(header));
}

// Stripe's largest events are a few hundred kilobytes; anything far beyond is not from Stripe.
const MAX_WEBHOOK_BYTES = 2_000_000;

/** A webhook delivery as Stripe sent it: the exact bytes it signed, and its signature header. */
export async function readStripeDelivery(request: Request): Promise<{ rawBody: string; signature: string | null }> {
  const rawBody = await readBodyText(request, MAX_WEBHOOK_BYTES);
  if (rawBody === null) throw new AppError("PAYLOAD_TOO_LARGE", "Payload too large.");

  return { rawBody, signature: request.headers.get("stripe-signature") };
}

/** Whether the request carries `Authorization: Bearer <secret>`, compared in constant time. */
export function hasBearer(request: Request, secret: string): boolean {
  const match = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "");
  const given = Buffer.from(match?.[1] ?? "");
  const wanted = Buffer.from(secret);

  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

// ── Answering ───────────────────────────────────────────────────────────────────────────────────

/**
 * An AppError as JSON: `{ error: { code, message, fieldErrors?, challenge? } }` with its status, and
 * Retry-After when trying again later may work (never cached, so it is not served once it is over).
 */
export function errorResponse(error: AppError, headers: Record<string, string> = {}): Response {
  const { fieldErrors, challenge, retryAfterSeconds } = error.details;
  const transient = retryAfterSeconds !== undefined || challenge !== undefined;

  return Response.json(
    { error: { code: error.code, message: error.message, ...(fieldErrors ? { fieldErrors } : {}), ...(challenge ? { challenge } : {}) } },
    {
      status: error.status,
      headers: {
        ...(retryAfterSeconds !== undefined ? { "retry-after": String(retryAfterSeconds) } : {}),
        ...(transient ? { "cache-control": "no-store" } : {}),
        ...headers,
      },
    },
  );
}

/** The answer for a request whose work failed: its AppError, a 503 for an unreachable database, else a logged 500. */
export function failureResponse(where: string, error: unknown): Response {
  return errorResponse(toAppError(where, error));
}

/** A whole HTML document (lib/html.ts): self-contained, so it reads the same without JavaScript. */
export function htmlResponse(document: SafeHtml, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(document.value, {
    status: init.status ?? 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...init.headers },
  });
}

export function plainResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

/**
 * A file download streamed as its text is made: each chunk is asked for only when the client has
 * taken the one before (the stream pulls; a slow reader holds the producer back), and a client that
 * goes away stops the producer. A failure part-way can no longer change the status: the stream is
 * broken off, so the download fails instead of ending as if complete.
 */
export function streamedDownload(chunks: AsyncGenerator<string, void, undefined>, options: { contentType: string; filename: string; where: string }): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (error) {
          log.error(`${options.where} failed part-way`, { error: describeError(error) });
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    // Nothing read ahead of the client: the next chunk is made when it is asked for.
    { highWaterMark: 0 },
  );

  return new Response(body, {
    status: 200,
    headers: {
      "content-type": options.contentType,
      "content-disposition": `attachment; filename="${options.filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** See Other: after a form post, the browser fetches `location` with a GET. */
export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

// ── CORS ────────────────────────────────────────────────────────────────────────────────────────

/**
 * The widget runs on the newsroom's article pages, another origin than this app, and calls our
 * JSON endpoints (checkout, reminders) from there. They take no cookies and no credentials (the
 * visitor id travels in the body), so CORS protects no session here; what it protects is the
 * endpoints' limits. With NEWSROOM_ORIGINS set, only those origins and the app's own may call them
 * from a browser, so no other site can spend its visitors' rate limits or have strangers sent
 * reminder emails. Without it, any origin may (a newsroom that has not said where its articles are).
 */
function allowedOrigins(): Set<string> | null {
  const config = env();
  if (config.newsroomOrigins.length === 0) return null;

  return new Set([...config.newsroomOrigins, new URL(config.appUrl).origin]);
}

/**
 * The refusal for a browser call from an origin that may not make it, or null when it may. A call
 * without an Origin header is not a browser's cross-origin call (a server or a script can send any
 * header it likes, which CORS was never meant to stop; the rate limits are for them).
 */
export function refuseOrigin(request: Request): Response | null {
  const allowed = allowedOrigins();
  const origin = request.headers.get("origin");
  if (allowed === null || origin === null || allowed.has(origin)) return null;

  return errorResponse(new AppError("FORBIDDEN", "Gifts and reminders can be started only from the newsroom's own pages."));
}

/** CORS headers for a response to this request: its origin allowed, or every origin without NEWSROOM_ORIGINS. */
export function corsHeaders(request: Request): Record<string, string> {
  const allowed = allowedOrigins();
  const headers: Record<string, string> = { "access-control-expose-headers": "retry-after" };
  if (allowed === null) {
    headers["access-control-allow-origin"] = "*";
  } else {
    // Caches must not serve one origin's answer to another.
    headers.vary = "Origin";
    const origin = request.headers.get("origin");
    if (origin !== null && allowed.has(origin)) headers["access-control-allow-origin"] = origin;
  }

  return headers;
}

/** The answer to a preflight (OPTIONS) for a JSON POST: refused for an origin that may not call. */
export function preflightResponse(request: Request, methods = "POST"): Response {
  const refused = refuseOrigin(request);
  if (refused) return refused;

  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(request),
      "access-control-allow-methods": methods,
      "access-control-allow-headers": "content-type",
      "access-control-max-age": "86400",
    },
  });
}

/** The same response with the CORS headers for this request's origin added. */
export function withCors(request: Request, response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(corsHeaders(request))) headers.set(name, value);

  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
