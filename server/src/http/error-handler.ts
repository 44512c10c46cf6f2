// The one place errors become HTTP answers: `{ error: { code, message, details? } }`.
// Unexpected errors are logged in full and answered with a generic 500.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, errorBody } from '../errors.ts';
import { isConnectionError } from '../db.ts';
import type { Logger } from '../logger.ts';

export const notFound: RequestHandler = (req, res) => {
  res
    .status(404)
    .json(errorBody(new AppError('not_found', `No route for ${req.method} ${req.path}.`)));
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let appError: AppError;
    if (err instanceof AppError) appError = err;
    else if ((err as { type?: string }).type === 'entity.too.large') {
      appError = new AppError('payload_too_large', 'The request body is too large.');
    } else if ((err as { type?: string }).type === 'entity.parse.failed') {
      appError = new AppError('bad_request', 'The request body is not valid JSON.');
    } else if (isConnectionError(err)) {
      // Postgres (or Redis) unreachable: a retryable answer, never a 500.
      appError = new AppError(
        'storage_unavailable',
        'A backing service is unavailable; retry later.',
        undefined,
        { cause: err },
      );
    } else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      appError = new AppError('internal', 'Something went wrong on our side.');
    }
    if (appError.status >= 500 && appError.code !== 'internal') {
      logger.warn({ code: appError.code, path: req.path, cause: appError.cause }, appError.message);
    }
    if (res.headersSent) return;
    if (appError.status === 503) res.set('Retry-After', '5');
    res.status(appError.status).json(errorBody(appError));
  };
}
