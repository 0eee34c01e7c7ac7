import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { env } from "@/lib/env";

type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Fields whose values must never reach a log line, whatever a caller passes. */
const REDACTED_KEYS = /secret|password|authorization|signature|card|cvc|email|^ip$|ip_address|token|payload|body/i;

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = REDACTED_KEYS.test(key) ? "[redacted]" : value instanceof Error ? describeError(value) : value;
  }

  return out;
}

const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const IPV4_IN_TEXT = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g;

/**
 * An error's text is written by others (a driver, Stripe, an SMTP server) and may quote an address
 * or a host's IP: neither goes into our logs or the inbox's stored errors. The machine's own
 * loopback stays, as it says where nothing personal is.
 */
function scrubbed(text: string): string {
  return text.replace(EMAIL_IN_TEXT, "[email]").replace(IPV4_IN_TEXT, (address) => (address.startsWith("127.") ? address : "[address]"));
}

/**
 * A one-line description of an error that is safe to log and store: the database's own error
 * (code and message) rather than the query wrapper's, whose text carries the query's parameters
 * (emails, names), with any address in it taken out.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return scrubbed(String(error));
  const cause = error.cause;
  if (cause instanceof Error && (cause as { code?: unknown }).code !== undefined) return describeError(cause);
  if (error.message.startsWith("Failed query:")) return `${error.name}: a database query failed`;
  const code = (error as { code?: unknown }).code;

  return scrubbed(code !== undefined ? `${error.name}(${String(code)}): ${error.message}` : `${error.name}: ${error.message}`);
}

function write(level: Level, message: string, fields: Record<string, unknown> = {}) {
  let threshold: Level | "silent";
  try {
    threshold = env().logLevel;
  } catch {
    threshold = "info";
  }
  if (ORDER[level] < ORDER[threshold]) return;
  const requestId = requestContext().getStore()?.requestId;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg: message, ...(requestId ? { req: requestId } : {}), ...redact(fields) });
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}

/** JSON-lines logger. Log ids and types (event id, gift id), never payloads, emails, IPs or keys. */
export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};

// ── Request ids ─────────────────────────────────────────────────────────────────────────────────

type RequestContext = { requestId: string };
const contextKey = Symbol.for("readerfund.requestContext");
type ContextHolder = typeof globalThis & { [contextKey]?: AsyncLocalStorage<RequestContext> };

// One store per process, shared by every Next bundle that imports this module (as the worker loops are).
function requestContext(): AsyncLocalStorage<RequestContext> {
  const holder = globalThis as ContextHolder;
  holder[contextKey] ??= new AsyncLocalStorage<RequestContext>();

  return holder[contextKey];
}

/** A new request id: `req_` and 16 random characters, nothing derived from the request. */
export function newRequestId(): string {
  return `req_${randomBytes(12).toString("base64url")}`;
}

/** The id of the request whose work is running, if any: every log line written meanwhile carries it as `req`. */
export function currentRequestId(): string | undefined {
  return requestContext().getStore()?.requestId;
}

/**
 * Runs `work` as part of request `requestId`: what it logs carries the id, and what it stores for
 * later (an inbox event, a queued email) keeps it, so the worker that picks that up later, in this
 * process or another, logs under the same id. Null runs it as no request's.
 */
export function withRequestId<T>(requestId: string | null | undefined, work: () => T): T {
  return requestId ? requestContext().run({ requestId }, work) : requestContext().exit(work);
}
