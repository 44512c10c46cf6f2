// The webhook routes, served straight from node:http ahead of Express: they carry nearly all of
// the API's traffic, and the profile showed Express's router, request/response wrappers and body
// parser costing about as much CPU as the durable work itself. The shell only reads the raw body
// (the signature covers exact bytes) within the size limit, calls the use case, and answers with
// the same error type and JSON body as every other route (http/error-handler.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { sendError } from '../http/error-handler.ts';
import {
  countOversized,
  receiveConnectWebhook,
  receiveDirectWebhook,
  type WebhookDeps,
} from './receive-webhook.ts';

const PREFIX = '/webhooks/stripe/';

/** Which webhook endpoint a request is for, or null when it is not a webhook delivery. */
function route(
  req: IncomingMessage,
): { endpoint: 'connect' } | { endpoint: 'direct'; id: string } | null {
  if (req.method !== 'POST' || !req.url?.startsWith(PREFIX)) return null;
  const q = req.url.indexOf('?');
  const rest = req.url.slice(PREFIX.length, q === -1 ? undefined : q);
  if (rest === 'connect') return { endpoint: 'connect' };
  if (rest.length === 0 || rest.includes('/')) return null;
  try {
    return { endpoint: 'direct', id: decodeURIComponent(rest) };
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume(); // discard; the connection is closed after the answer
      resolve('too_large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/**
 * A request listener for the webhook endpoints. Returns false, without touching the request,
 * for anything else (the caller hands it to Express).
 */
export function webhookHandler(
  deps: WebhookDeps,
  opts: { maxBodyBytes: number; logger: Logger },
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const answer = async (
    req: IncomingMessage,
    res: ServerResponse,
    target: NonNullable<ReturnType<typeof route>>,
  ) => {
    const body = await readBody(req, opts.maxBodyBytes);
    if (body === 'too_large') {
      const ep =
        target.endpoint === 'direct'
          ? await deps.directory.directEndpoint(target.id).catch(() => null)
          : null;
      countOversized(deps, target.endpoint, ep?.tenantId ?? null);
      res.setHeader('connection', 'close');
      throw new AppError('payload_too_large', `The body exceeds ${opts.maxBodyBytes} bytes.`, {
        reason: 'payload_too_large',
      });
    }
    const header = req.headers['stripe-signature'];
    const delivery = { body, signature: Array.isArray(header) ? header.join(',') : header };
    const result =
      target.endpoint === 'connect'
        ? await receiveConnectWebhook(deps, delivery)
        : await receiveDirectWebhook(deps, target.id, delivery);
    const json = JSON.stringify(result);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  };

  return (req, res) => {
    const target = route(req);
    if (!target) return false;
    answer(req, res, target).catch((err: unknown) =>
      sendError(opts.logger, err, { method: 'POST', path: req.url ?? '' }, res),
    );
    return true;
  };
}
