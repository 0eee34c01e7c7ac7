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

/**
 * A one-line description of an error that is safe to log and store: the database's own error
 * (code and message) rather than the query wrapper's, whose text carries the query's parameters
 * (emails, names).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error && (cause as { code?: unknown }).code !== undefined) return describeError(cause);
  if (error.message.startsWith("Failed query:")) return `${error.name}: a database query failed`;
  const code = (error as { code?: unknown }).code;

  return code !== undefined ? `${error.name}(${String(code)}): ${error.message}` : `${error.name}: ${error.message}`;
}

function write(level: Level, message: string, fields: Record<string, unknown> = {}) {
  let threshold: Level | "silent";
  try {
    threshold = env().logLevel;
  } catch {
    threshold = "info";
  }
  if (ORDER[level] < ORDER[threshold]) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg: message, ...redact(fields) });
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
