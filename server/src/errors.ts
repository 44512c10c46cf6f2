// One error type for the whole backend. Routes and use cases throw AppError with a stable code;
// the HTTP error handler turns it into `{ error: { code, message, details? } }` with the status
// below. Anything that is not an AppError becomes a 500 whose message never leaks.

const STATUS = {
  bad_request: 400,
  invalid_api_key: 400,
  missing_permissions: 400,
  key_account_mismatch: 403,
  invalid_signature: 400,
  invalid_payload: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  storage_unavailable: 503,
  not_ready: 503,
} as const;

export type ErrorCode = keyof typeof STATUS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = STATUS[code];
  }
}

export function errorBody(err: AppError) {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
    },
  };
}
