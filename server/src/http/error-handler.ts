// The one place errors become HTTP answers: `{ error: { code, message, details? } }`.
// Unexpected errors are logged in full and answered with a generic 500.
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, errorBody } from '../errors.ts';
import { isConnectionError } from '../db.ts';
import type { Logger } from '../logger.ts';

export const notFound: RequestHandler = (req, res) => {
  res
    .status(404)
    .json(errorBody(new AppError('not_found', `No route for ${req.method} ${req.path}.`)));
};

function toAppError(logger: Logger, err: unknown, where: { method: string; path: string }) {
  if (err instanceof AppError) return err;
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.too.large')
    return new AppError('payload_too_large', 'The request body is too large.');
  if (type === 'entity.parse.failed')
    return new AppError('bad_request', 'The request body is not valid JSON.');
  if (isConnectionError(err)) {
    // Postgres (or Redis) unreachable: a retryable answer, never a 500.
    return new AppError(
      'storage_unavailable',
      'A backing service is unavailable; retry later.',
      undefined,
      { cause: err },
    );
  }
  logger.error({ err, ...where }, 'unhandled error');
  return new AppError('internal', 'Something went wrong on our side.');
}

/** Answers `err` on a plain node:http response (Express responses are ServerResponses too). */
export function sendError(
  logger: Logger,
  err: unknown,
  where: { method: string; path: string },
  res: ServerResponse,
) {
  const appError = toAppError(logger, err, where);
  if (appError.status >= 500 && appError.code !== 'internal') {
    logger.warn({ code: appError.code, path: where.path, cause: appError.cause }, appError.message);
  }
  if (res.headersSent) return;
  const json = JSON.stringify(errorBody(appError));
  res.writeHead(appError.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...(appError.status === 503 ? { 'retry-after': '5' } : {}),
    ...(appError.status === 429 && typeof appError.details?.retryAfter === 'number'
      ? { 'retry-after': String(appError.details.retryAfter) }
      : {}),
  });
  res.end(json);
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) =>
    sendError(logger, err, { method: req.method, path: req.path }, res);
}
