// GET /metrics — Prometheus text, behind the admin API's authentication (a bearer token of any
// role; Prometheus sends it with `authorization: { credentials: … }`). The API serves it on its
// port; a worker process on WORKER_METRICS_PORT (worker-metrics-server.ts, beside this file).
import express from 'express';
import type { Registry } from 'prom-client';
import { AppError } from '../../errors.ts';
import { adminAuthentication, type AdminAuthDeps } from '../access/authenticate-admin.ts';

export function metricsRouter(
  deps: AdminAuthDeps & {
    registry: Registry;
    /** The text to serve; the registry's own unless the process is one of a cluster. */
    text?: () => Promise<string>;
  },
) {
  const router = express.Router();
  const text = deps.text ?? (() => deps.registry.metrics());
  router.get('/metrics', adminAuthentication(deps), async (_req, res, next) => {
    try {
      const body = await text();
      res.setHeader('content-type', deps.registry.contentType);
      res.setHeader('cache-control', 'no-store');
      res.send(body);
    } catch (err) {
      // Redis or Postgres did not answer a scrape-time gauge: unavailable, not a server fault.
      next(
        new AppError('storage_unavailable', `Metrics could not be read: ${(err as Error).message}`),
      );
    }
  });
  return router;
}
