export type AppErrorCode =
  | "BAD_REQUEST"
  | "INVALID_INPUT"
  | "NOT_FOUND"
  | "FORBIDDEN"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "STRIPE_UNAVAILABLE"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "CHALLENGE_REQUIRED"
  | "INTERNAL";

const STATUS: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  INVALID_INPUT: 422,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  STRIPE_UNAVAILABLE: 502,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  // 428 Precondition Required: the request may succeed once it carries a solved challenge.
  CHALLENGE_REQUIRED: 428,
  INTERNAL: 500,
};

/** An error we expect and can explain to the caller; everything else is a 500 we log. */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: { fieldErrors?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "AppError";
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export function errorResponse(error: AppError): Response {
  return Response.json(
    { error: { code: error.code, message: error.message, ...(error.details.fieldErrors ? { fieldErrors: error.details.fieldErrors } : {}) } },
    { status: error.status },
  );
}
