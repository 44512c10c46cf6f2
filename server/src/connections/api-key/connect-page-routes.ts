// The restricted-key alternative to installing the app, outside the Stripe App (an OAuth app must
// not ask for powers the merchant never granted at install): a small page of the backend,
// `GET /connect/api-key` (the form) and `POST /connect/api-key` (the key, and a pasted endpoint
// secret when the key may not create one). The key proves the account, as the code exchange does
// for an install; nothing else is trusted. Answers HTML, or JSON to `Accept: application/json`
// (scripts, tests). Limited per client address: every attempt costs calls to Stripe.
import express, { type Request, type Response } from 'express';
import { RedisRateLimiter } from '../../http/rate-limit.ts';
import { AppError } from '../../errors.ts';
import { parse } from '../../http/parse.ts';
import { storableInput } from '../../http/storable.ts';
import type { Redis } from '../../redis.ts';
import { z } from 'zod';
import { connectWithApiKey } from './connect-api-key.ts';
import type { ConnectionDeps } from '../install-deps.ts';
import { escape, page } from '../pages.ts';

const Body = z.object({
  apiKey: z.string().min(1).max(300),
  webhookSecret: z
    .string()
    .max(300)
    .optional()
    .transform((s) => (s?.trim() ? s.trim() : undefined)),
});

function form(error?: string) {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Connect with a restricted key · DisputeDesk</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1a1f36}h1{font-size:1.4rem}label{display:block;margin:1rem 0 .25rem}input{width:100%;padding:.4rem}p.error{color:#b3093c}</style></head>
<body><h1>Connect with a restricted key</h1>
<p>Prefer installing the DisputeDesk app from the Stripe Marketplace: it needs no key. If you connect with a key, create a restricted key (rk_…) in the Stripe Dashboard with the permissions DisputeDesk lists; DisputeDesk checks each one and creates its own webhook endpoint on your account.</p>
${error ? `<p class="error">${escape(error)}</p>` : ''}
<form method="post" action="/connect/api-key" autocomplete="off">
<label for="apiKey">Restricted key (rk_test_… or rk_live_…)</label><input id="apiKey" name="apiKey" type="password" required maxlength="300">
<label for="webhookSecret">Webhook signing secret (only if DisputeDesk asked for one)</label><input id="webhookSecret" name="webhookSecret" type="password" maxlength="300">
<p><button type="submit">Check and connect</button></p></form></body></html>`;
  return body;
}

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

export function connectPageRouter(
  deps: ConnectionDeps & {
    redis: Redis;
    redisPrefix: string;
    /** Attempts per client address per minute (CONNECT_PAGE_ATTEMPTS_PER_MINUTE). */
    connectAttemptsPerMinute: number;
  },
) {
  const router = express.Router();
  const limiter = new RedisRateLimiter({
    redis: deps.redis,
    prefix: `${deps.redisPrefix}:connect-page`,
    logger: deps.logger,
    callsPerMinute: deps.connectAttemptsPerMinute,
    authFailuresPerMinute: deps.connectAttemptsPerMinute,
  });
  router.use('/connect', storableInput);
  router.use('/connect', express.urlencoded({ extended: false, limit: '4kb' }));
  router.use('/connect', express.json({ limit: '4kb' }));

  router.get('/connect/api-key', (_req, res) => {
    res.set('cache-control', 'no-store').type('html').send(form());
  });

  router.post('/connect/api-key', async (req: Request, res: Response) => {
    const json = wantsJson(req);
    const limit = await limiter.call(req.ip ?? 'unknown');
    if (!limit.ok) {
      res.set('retry-after', String(limit.retryAfter));
      throw new AppError('rate_limited', 'Too many attempts from this address; wait a minute.', {
        retryAfter: limit.retryAfter,
      });
    }
    try {
      const body = parse(Body, req.body, 'body: send apiKey (and optionally webhookSecret)');
      const result = await connectWithApiKey(deps, body);
      if (json) return res.status(201).json(result);
      const lines = [
        `Your Stripe account ${result.accountId} (${result.livemode ? 'live' : 'test'} mode) is connected. Your dispute history is loading now.`,
      ];
      if (result.webhook.status === 'secret_needed' && result.webhook.message)
        lines.push(result.webhook.message);
      return res.status(201).type('html').send(page('DisputeDesk is connected', lines));
    } catch (err) {
      if (json || !(err instanceof AppError) || err.status >= 500) throw err;
      const missing = (err.details as { missing?: string[] } | undefined)?.missing;
      return res
        .status(err.status)
        .type('html')
        .send(
          form(missing?.length ? `${err.message} Missing: ${missing.join(', ')}.` : err.message),
        );
    }
  });

  return router;
}
