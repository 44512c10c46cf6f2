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

/** Client errors raised by Express and its body parsers (http-errors: `expose` means safe to show). */
function clientHttpError(err: unknown): AppError | null {
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const status = typeof e?.status === 'number' ? e.status : e?.statusCode;
  // The router's "Failed to decode param" (a URIError given status 400, not marked `expose`).
  if (err instanceof URIError && status === 400)
    return new AppError('bad_request', 'The URL is not valid percent-encoded UTF-8.');
  if (typeof status !== 'number' || status < 400 || status > 499 || e.expose !== true) return null;
  const message = typeof e.message === 'string' ? e.message.slice(0, 200) : 'Bad request.';
  if (status === 413) return new AppError('payload_too_large', 'The request body is too large.');
  if (status === 415)
    return new AppError('unsupported_media_type', `Unsupported request body: ${message}.`);
  return new AppError('bad_request', `The request is malformed: ${message}.`);
}

/**
 * Postgres data exceptions (class 22: a value out of range, an impossible date, text it cannot
 * store) come from input that got past validation: a 400 that names no SQL, logged for a fix.
 */
function dataException(logger: Logger, err: unknown, where: { method: string; path: string }) {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^22[0-9A-Z]{3}$/.test(code)) return null;
  logger.warn({ code, ...where }, 'request value refused by Postgres (missing validation)');
  return new AppError(
    'bad_request',
    'A value in the request is out of range or cannot be stored.',
    {
      reason: 'invalid_value',
    },
  );
}

function toAppError(logger: Logger, err: unknown, where: { method: string; path: string }) {
  if (err instanceof AppError) return err;
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.too.large')
    return new AppError('payload_too_large', 'The request body is too large.');
  if (type === 'entity.parse.failed')
    return new AppError('bad_request', 'The request body is not valid JSON.');
  const client = clientHttpError(err) ?? dataException(logger, err, where);
  if (client) return client;
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
