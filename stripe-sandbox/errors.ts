type ErrorType =
  | "api_error"
  | "authentication_error"
  | "card_error"
  | "idempotency_error"
  | "invalid_request_error"
  | "rate_limit_error";

/** An error answered in Stripe's shape: `{ error: { type, code, message, param, doc_url } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    readonly extra: { code?: string; param?: string; decline_code?: string } = {},
  ) {
    super(message);
  }

  toJSON() {
    const docCode = this.extra.code ?? this.type;

    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.extra.code ? { code: this.extra.code } : {}),
        ...(this.extra.decline_code ? { decline_code: this.extra.decline_code } : {}),
        ...(this.extra.param ? { param: this.extra.param } : {}),
        doc_url: `https://stripe.com/docs/error-codes/${docCode.replace(/_/g, "-")}`,
        request_log_url: null,
      },
    };
  }
}

export const invalidRequest = (message: string, param?: string, code?: string) =>
  new ApiError(400, "invalid_request_error", message, { param, code: code ?? (param ? "parameter_invalid" : undefined) });

export const missingParam = (param: string) =>
  new ApiError(400, "invalid_request_error", `Missing required param: ${param}.`, { param, code: "parameter_missing" });

export const unknownParam = (param: string) =>
  new ApiError(400, "invalid_request_error", `Received unknown parameter: ${param}`, { param, code: "parameter_unknown" });

export const noSuch = (what: string, id: string, param = "id") =>
  new ApiError(404, "invalid_request_error", `No such ${what}: '${id}'`, { param, code: "resource_missing" });
