// A worker process's own HTTP listener, only for GET /metrics (WORKER_METRICS_PORT), with the
// same authentication as the admin API. Bound to HOST like the API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { metricsRouter } from './metrics-route.ts';
import type { AdminAuthDeps } from '../access/authenticate-admin.ts';
import { errorHandler, notFound } from '../../http/error-handler.ts';
import type { Metrics } from '../../metrics/metrics.ts';

export async function startWorkerMetricsServer(
  deps: AdminAuthDeps & { metrics: Metrics; host: string; port: number },
): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRouter({ ...deps, registry: deps.metrics.registry }));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, resolve);
  });
  const url = `http://${deps.host}:${(server.address() as AddressInfo).port}`;
  deps.logger.info({ url }, 'worker metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
