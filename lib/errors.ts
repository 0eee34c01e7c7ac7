import type { Challenge } from "@/lib/abuse/challenge";
import { describeError, log } from "@/lib/log";

export type AppErrorCode =
  | "BAD_REQUEST"
  | "INVALID_INPUT"
  | "NOT_FOUND"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "STRIPE_UNAVAILABLE"
  | "STRIPE_REFUSED"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "CHALLENGE_REQUIRED"
  | "DATABASE_UNAVAILABLE"
  | "INTERNAL";

const STATUS: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  INVALID_INPUT: 422,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // Stripe slow, down or rate limiting us: the same request may work in a moment (with Retry-After).
  STRIPE_UNAVAILABLE: 503,
  // Stripe refused what we asked: trying again will not help until we change.
  STRIPE_REFUSED: 502,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  // 428 Precondition Required: the request may succeed once it carries a solved challenge.
  CHALLENGE_REQUIRED: 428,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export type AppErrorDetails = {
  /** Messages beside the fields of the form they concern. */
  fieldErrors?: Record<string, string>;
  cause?: unknown;
  /** When trying again may work (Retry-After). */
  retryAfterSeconds?: number;
  /** The proof of work that lets the request through (CHALLENGE_REQUIRED). */
  challenge?: Challenge;
};

/**
 * An error we expect and can explain to the caller, raised by domain functions; an HTTP adapter
 * (lib/http.ts) or the action wrapper (lib/actions/action.ts) turns it into an answer. Everything
 * else is a 500 we log.
 */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: AppErrorDetails = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "AppError";
  }

  get status(): number {
    return STATUS[this.code];
  }
}

/** How long a client is asked to wait before trying again while the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export function databaseUnavailableError(cause?: unknown): AppError {
  return new AppError("DATABASE_UNAVAILABLE", "We cannot reach our database just now. Nothing is lost; please try again in a few seconds.", {
    cause,
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });
}

// Node's own network errors and postgres.js's connection errors, by code.
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  // SQLSTATE: the server is shutting down or starting up, or has no connection left for us.
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** Raised by our own time limits on the database (withDatabaseTimeout). */
export class DatabaseTimeoutError extends Error {
  constructor(ms: number) {
    super(`the database did not answer within ${ms} ms`);
    this.name = "DatabaseTimeoutError";
  }
}

/** The work's result, or a DatabaseTimeoutError once `ms` have passed (the work itself goes on). */
export function withDatabaseTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return withDeadline(work, ms, () => new DatabaseTimeoutError(ms));
}

/** The work's result, or the error `late` makes once `ms` have passed (the work itself goes on). */
export async function withDeadline<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  // Once the timeout has won, a later failure of the work has no one left to tell.
  work.catch(() => {});
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether an error says the database could not be reached (refused, reset, timed out, shutting
 * down, the embedded one closed), rather than that a statement of ours failed: the first passes
 * once the database is back, the second is a bug or bad data and does not. Looks through the
 * query builder's wrapper to the driver's error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof DatabaseTimeoutError) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (/^PGlite is clos(ed|ing)$/.test(current.message)) return true;
  }

  return false;
}

const UNAVAILABLE_LOG_EVERY_MS = 30_000;
let unavailableLoggedAt = 0;
let unavailableNotLogged = 0;

/**
 * Logs that a request met an unreachable database: by code and message only, never with the
 * query's parameters, and once per half minute however many requests meet it (with how many did),
 * so an outage under a reader's polling page and a load balancer's checks stays a few lines.
 */
export function logDatabaseUnavailable(where: string, error: unknown): void {
  const now = Date.now();
  if (now - unavailableLoggedAt < UNAVAILABLE_LOG_EVERY_MS) {
    unavailableNotLogged++;

    return;
  }
  log.warn("database unreachable", { where, error: describeError(error), requestsSinceLastLine: unavailableNotLogged });
  unavailableLoggedAt = now;
  unavailableNotLogged = 0;
}

/**
 * What a failure means to the caller: an AppError as raised; an unreachable database as a 503 to
 * try again (nothing was lost); anything else as a 500, our own bug. Logged here, by code and
 * message only, never with a query's parameters.
 */
export function toAppError(where: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) {
    logDatabaseUnavailable(where, error);

    return databaseUnavailableError(error);
  }
  log.error(`${where} failed`, { error: describeError(error) });

  return new AppError("INTERNAL", "Something went wrong on our side. Please try again later.");
}
