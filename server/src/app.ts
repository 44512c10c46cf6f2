// Assembles the HTTP request listener from already-built parts: the webhook endpoints on plain
// node:http (webhooks/routes.ts), everything else on Express. No I/O here: main.ts and the tests
// decide what the parts are connected to.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Pool } from './db.ts';
import type { Logger } from './logger.ts';
import type { Redis } from './redis.ts';
import type { WebhookDeps } from './webhooks/receive-webhook.ts';
import { webhookHandler } from './webhooks/routes.ts';
import { errorHandler, notFound } from './http/error-handler.ts';
import { healthRouter } from './http/health.ts';
import { adminRouter } from './admin/routes/admin-router.ts';
import { appRouter } from './app-api/routes.ts';
import type { AdminDeps } from './admin/deps.ts';
import { connectPageRouter } from './connections/api-key/connect-page-routes.ts';
import { oauthRouter } from './connections/oauth/oauth-routes.ts';
import { metricsRouter } from './admin/routes/metrics-route.ts';
import type { Registry } from 'prom-client';
import type { ReadRouting } from './read-routing.ts';

export interface AppDeps {
  logger: Logger;
  pool: Pool;
  redis: Redis;
  /** The read replica's state, shown by /readyz. */
  reads?: Pick<ReadRouting, 'status'>;
  webhooks: WebhookDeps;
  connections: AdminDeps;
  maxBodyBytes: number;
  trustProxy?: boolean;
  isShuttingDown?: () => boolean;
  /** GET /metrics: the process's registry, or (cluster mode) the cluster's text. */
  metrics?: { registry: Registry; text?: () => Promise<string> };
}

export function buildApp(deps: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  // No ETag: our answers are never cached, and hashing every body costs CPU on the hot path.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(oauthRouter(deps.connections));
  app.use(connectPageRouter(deps.connections));
  app.use(appRouter(deps.connections));
  if (deps.metrics) app.use(metricsRouter({ ...deps.connections, ...deps.metrics }));
  app.use(adminRouter(deps.connections));
  app.use(
    healthRouter({
      pool: deps.pool,
      redis: deps.redis,
      ...(deps.reads ? { reads: deps.reads } : {}),
      isShuttingDown: deps.isShuttingDown ?? (() => false),
    }),
  );
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  // Webhooks first, outside Express: they are most of the traffic.
  const webhooks = webhookHandler(deps.webhooks, {
    maxBodyBytes: deps.maxBodyBytes,
    logger: deps.logger,
  });
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!webhooks(req, res)) app(req, res);
  };
}
