// Errors in Stripe's shape: `{ error: { type, code?, message, param? } }` with Stripe's statuses.
export type StripeErrorType =
  'invalid_request_error' | 'api_error' | 'card_error' | 'idempotency_error' | 'rate_limit_error';

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly code?: string,
    readonly param?: string,
    /** More fields of the error object (decline_code, charge, payment_intent, …). */
    readonly extra: Record<string, unknown> = {},
    /** Response headers that come with the error (429's Stripe-Rate-Limited-Reason, …). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toJSON() {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.code ? { code: this.code } : {}),
        ...(this.param ? { param: this.param } : {}),
        ...this.extra,
      },
    };
  }
}

export const missing = (kind: string, id: string, param = 'id') =>
  new StripeApiError(
    404,
    'invalid_request_error',
    `No such ${kind}: '${id}'`,
    'resource_missing',
    param,
  );

export const invalidInteger = (param: string, value: unknown) =>
  new StripeApiError(
    400,
    'invalid_request_error',
    `Invalid integer: ${String(value)}`,
    'parameter_invalid_integer',
    param,
  );

export const invalidParam = (param: string, message: string, code = 'parameter_invalid_string') =>
  new StripeApiError(400, 'invalid_request_error', message, code, param);
