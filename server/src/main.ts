// Composition root of the HTTP API: builds every client once and passes them in.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfigOrExit, type Config } from './config.ts';
import { Keyring } from './crypto/keyring.ts';
import { createDb, createPool } from './db.ts';
import { ReadRouting } from './read-routing.ts';
import { EnqueueBatcher } from './events/enqueue-batcher.ts';
import { buildApp } from './app.ts';
import { isClusterPrimary, isClusterWorker, runApiPrimary } from './http/cluster.ts';
import { createLogger, type Logger } from './logger.ts';
import { createQueues } from './queues.ts';
import { createRedis } from './redis.ts';
import { isEntryPoint, onShutdownSignal } from './shutdown.ts';
import { EventRecorder } from './webhooks/event-recorder.ts';
import { RejectionCounter } from './webhooks/rejection-counter.ts';
import { TenantDirectory } from './webhooks/tenant-directory.ts';
import { TenantClients } from './connections/credentials/tenant-clients.ts';
import { createMetrics } from './metrics/metrics.ts';
import { registerScrapeGauges } from './metrics/scrape-gauges.ts';
import {
  clusterMetricsText,
  serveClusterMetrics,
  shareWithPrimary,
} from './metrics/cluster-metrics.ts';

export interface ApiHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startApi(
  config: Config,
  logger: Logger = createLogger({ level: config.logLevel, name: 'api' }),
): Promise<ApiHandle> {
  const db = createDb({
    ...config.database,
    onError: (err) => logger.warn({ err }, 'postgres connection error'),
  });
  const redis = createRedis(config.redis.url, 'producer');
  redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis connection error'));
  const queues = createQueues(
    redis,
    config.redis.prefix,
    config.events,
    (err) => logger.debug({ err: err.message }, 'queue error'),
    { maxAttempts: config.notifications.maxAttempts, backoffMs: config.notifications.backoffMs },
  );
  const metrics = createMetrics('api');
  const replica = config.database.replicaUrl
    ? createPool({
        url: config.database.replicaUrl,
        poolSize: config.database.poolSize,
        onError: (err) => logger.warn({ err }, 'replica connection error'),
      })
    : null;
  const reads = new ReadRouting({
    primary: db.pool,
    replica,
    redis,
    redisPrefix: config.redis.prefix,
    maxLagMs: config.database.replicaMaxLagMs,
    logger,
    onRead: (choice) => metrics.reads.inc({ target: choice.target, reason: choice.reason }),
  });
  await reads.start();
  registerScrapeGauges(metrics, { queues, pool: db.pool, reads });
  if (isClusterWorker()) shareWithPrimary(metrics.registry);
  const keyring = new Keyring(config.encryption.keys, config.encryption.primaryKeyId);
  const enqueuer = new EnqueueBatcher(
    { queue: queues.events, pool: db.pool, logger },
    { maxDelayMs: config.events.enqueueDelayMs },
  );
  const recorder = new EventRecorder({
    pool: db.pool,
    logger,
    maxInFlight: Math.max(1, config.database.poolSize - 2),
    // After the answer: the rows are committed, so a failed enqueue is covered by the sweeper.
    onStored: (ids) => enqueuer.add(ids),
  });
  const rejections = new RejectionCounter({ pool: db.pool, logger, metrics });
  rejections.start(config.webhooks.rejectionFlushMs);
  const tokenDeps = { prisma: db.prisma, keyring, stripe: config.stripe, logger };
  const clients = new TenantClients(tokenDeps);
  let shuttingDown = false;
  const listener = buildApp({
    connections: {
      ...tokenDeps,
      pool: db.pool,
      queue: queues.events,
      queues,
      oauth: config.oauth,
      app: config.app,
      publicBaseUrl: config.http.publicBaseUrl,
      clients,
      notifications: config.notifications,
      redis,
      redisPrefix: config.redis.prefix,
      bootstrapTokens: config.admin.bootstrapTokens,
      rateLimits: config.admin.rateLimits,
      connectAttemptsPerMinute: config.connectPage.attemptsPerMinute,
      reads,
    },
    logger,
    pool: db.pool,
    redis,
    reads,
    maxBodyBytes: config.webhooks.maxBodyBytes,
    trustProxy: config.http.trustProxy,
    isShuttingDown: () => shuttingDown,
    metrics: {
      registry: metrics.registry,
      ...(isClusterWorker() ? { text: () => clusterMetricsText() } : {}),
    },
    webhooks: {
      metrics,
      directory: new TenantDirectory({ pool: db.pool, prisma: db.prisma, keyring }),
      recorder,
      rejections,
      logger,
      connectSecrets: config.webhooks.connectSecrets,
      toleranceSeconds: config.webhooks.toleranceSeconds,
    },
  });
  const server = createServer(listener).listen(config.http.port, config.http.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.http.host}:${port}`;
  logger.info({ url }, 'api listening');

  return {
    url,
    port,
    async stop() {
      shuttingDown = true;
      // While draining, tell clients not to reuse their connection.
      server.on('request', (_req, res: { setHeader(name: string, value: string): void }) =>
        res.setHeader('Connection', 'close'),
      );
      // Stop accepting; in-flight requests finish (each waits for its commit). Keep-alive
      // sockets are closed as soon as they are idle; past the timeout, whatever is left.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const force = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs - 1000);
      await closed;
      clearInterval(sweep);
      clearTimeout(force);
      await recorder.drain();
      await enqueuer.drain();
      await rejections.stop();
      await reads.stop();
      await queues.close();
      redis.disconnect();
      await replica?.end();
      await db.close();
    },
  };
}

if (isEntryPoint(import.meta.url)) {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: 'api' });
  if (config.http.processes > 1 && isClusterPrimary()) {
    serveClusterMetrics();
    runApiPrimary({
      processes: config.http.processes,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      logger,
    });
  } else {
    const api = await startApi(config, logger);
    onShutdownSignal(logger, config.shutdownTimeoutMs, () => api.stop(), {
      exitOnSecondSignal: !isClusterWorker(),
    });
  }
}
