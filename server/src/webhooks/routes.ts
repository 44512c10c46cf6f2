// Thin HTTP shell over receive-webhook.ts: raw body (the signature covers exact bytes), size
// limit, and the answer.
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../errors.ts';
import {
  countOversized,
  receiveConnectWebhook,
  receiveDirectWebhook,
  type WebhookDeps,
} from './receive-webhook.ts';

function rawBody(deps: WebhookDeps, maxBodyBytes: number, endpoint: 'connect' | 'direct') {
  const parse = express.raw({ type: () => true, limit: maxBodyBytes });
  return (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      if ((err as { type?: string }).type === 'entity.too.large') {
        const tenantParam = endpoint === 'direct' ? String(req.params.tenantId) : null;
        void (
          tenantParam
            ? deps.directory.directEndpoint(tenantParam).catch(() => null)
            : Promise.resolve(null)
        ).then((ep) => {
          countOversized(deps, endpoint, ep?.tenantId ?? null);
          next(
            new AppError('payload_too_large', `The body exceeds ${maxBodyBytes} bytes.`, {
              reason: 'payload_too_large',
            }),
          );
        });
        return;
      }
      next(err);
    });
  };
}

const delivery = (req: Request) => ({
  body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
  signature: req.get('stripe-signature'),
});

export function webhookRouter(deps: WebhookDeps, opts: { maxBodyBytes: number }) {
  const router = express.Router();
  router.post(
    '/webhooks/stripe/connect',
    rawBody(deps, opts.maxBodyBytes, 'connect'),
    async (req, res) => {
      res.status(200).json(await receiveConnectWebhook(deps, delivery(req)));
    },
  );
  router.post(
    '/webhooks/stripe/:tenantId',
    rawBody(deps, opts.maxBodyBytes, 'direct'),
    async (req, res) => {
      res
        .status(200)
        .json(await receiveDirectWebhook(deps, String(req.params.tenantId), delivery(req)));
    },
  );
  return router;
}
