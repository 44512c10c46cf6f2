// Composition root of the workers: the consumers of the queues this process runs (events with
// the sweeper, notifications, backfill, reports, lifecycle maintenance — all by default).
import { Worker, type Job } from 'bullmq';
import { loadConfigOrExit, type Config, type WorkerQueue } from './config.ts';
import { createDb } from './db.ts';
import { runProcessEventsJob } from './events/process-events-job.ts';
import { startSweeper } from './events/sweep-events.ts';
import { createLogger, type Logger } from './logger.ts';
import { createQueues, QUEUE_NAMES } from './queues.ts';
import { createRedis } from './redis.ts';
import { isEntryPoint, onShutdownSignal } from './shutdown.ts';
import { Keyring } from './crypto/keyring.ts';
import { runMaintenanceJob } from './connections/lifecycle/maintenance-job.ts';
import { maintainEventPartitions } from './events/event-partitions.ts';
import { TenantClients } from './connections/credentials/tenant-clients.ts';
import { runBackfillJob } from './backfill/backfill-job.ts';
import { StripeRateLimiter } from './backfill/rate-limiter.ts';
import { runReportsJob } from './reports/reports-job.ts';
import { deliverNotification } from './notifications/deliver-notification.ts';
import { createMetrics } from './metrics/metrics.ts';
import { startWorkerMetricsServer } from './admin/routes/worker-metrics-server.ts';

export interface WorkerHandle {
  stop(): Promise<void>;
  sweepNow(): Promise<void>;
  /** WORKER_METRICS_PORT set: where GET /metrics is served. */
  metricsUrl: string | null;
  /** One lifecycle pass now (purges, token refreshes), as the scheduler runs it. */
  runMaintenance(): Promise<unknown>;
  /** One deadline pass now (reminders, automatic submission), as the scheduler runs it. */
  checkDeadlines(): Promise<unknown>;
}

export async function startWorker(
  config: Config,
  logger: Logger = createLogger({ level: config.logLevel, name: 'worker' }),
): Promise<WorkerHandle> {
  const db = createDb({
    ...config.database,
    onError: (err) => logger.warn({ err }, 'postgres connection error'),
  });
  const workerRedis = createRedis(config.redis.url, 'worker');
  const producerRedis = createRedis(config.redis.url, 'producer');
  for (const r of [workerRedis, producerRedis])
    r.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis connection error'));
  const queues = createQueues(
    producerRedis,
    config.redis.prefix,
    config.events,
    (err) => logger.debug({ err: err.message }, 'queue error'),
    { maxAttempts: config.notifications.maxAttempts, backoffMs: config.notifications.backoffMs },
  );

  const metrics = createMetrics('worker');
  // Each queue's consumer, created only when this process runs that queue (WORKER_QUEUES), so a
  // deployment can give each queue its own pool of processes.
  const runs = (q: WorkerQueue) => config.worker.queues.has(q);
  const consumers: Worker[] = [];
  const consume = (
    q: WorkerQueue,
    handler: (job: Job, token?: string) => Promise<unknown>,
    concurrency: number,
  ) => {
    if (!runs(q)) return;
    const w = new Worker(QUEUE_NAMES[q], handler, {
      connection: workerRedis,
      prefix: config.redis.prefix,
      concurrency,
    });
    w.on('error', (err) => logger.warn({ err: err.message, queue: q }, 'worker error'));
    consumers.push(w);
  };

  consume(
    'events',
    (job) =>
      runProcessEventsJob(
        {
          pool: db.pool,
          logger,
          metrics,
          asyncCommit: config.events.asyncCommit,
          followUp: async (jobs) => {
            await Promise.all(
              jobs.map((j) =>
                queues[j.queue].add(j.name, j.data, j.jobId ? { jobId: j.jobId } : {}),
              ),
            );
          },
        },
        job,
      ),
    config.events.concurrency,
  );

  const keyring = new Keyring(config.encryption.keys, config.encryption.primaryKeyId);
  const tokenDeps = { prisma: db.prisma, keyring, stripe: config.stripe, logger };
  const clients = new TenantClients(tokenDeps);
  const limiter = new StripeRateLimiter(
    producerRedis,
    config.redis.prefix,
    config.backfill.rateLimit,
    metrics,
  );
  consume(
    'reports',
    (job) =>
      runReportsJob(
        { pool: db.pool, logger, clients, limiter, historyMonths: config.reports.historyMonths },
        job,
      ),
    config.reports.concurrency,
  );
  consume(
    'notifications',
    (job, token) =>
      deliverNotification(
        {
          pool: db.pool,
          prisma: db.prisma,
          keyring,
          logger,
          settings: config.notifications,
          metrics,
        },
        job,
        token,
      ),
    config.notifications.concurrency,
  );
  consume(
    'backfill',
    (job) =>
      runBackfillJob(
        {
          pool: db.pool,
          logger,
          queues,
          clients,
          limiter,
          settings: config.backfill,
          metrics,
        },
        job,
      ),
    config.backfill.concurrency,
  );
  const maintenanceDeps = {
    ...tokenDeps,
    pool: db.pool,
    queues,
    clients,
    retentionMs: config.tenants.purgeAfterMs,
    intervalMs: config.tenants.maintenanceIntervalMs,
    reofferAfterMs: config.tenants.reofferAfterMs,
    backfillSettings: config.backfill,
    limiter,
    reconcileStaleAfterMs: config.reconcile.staleAfterMs,
    deadlineIntervalMs: config.evidence.deadlineCheckIntervalMs,
    eventRetentionDays: config.events.retentionDays,
  };
  consume('maintenance', (job) => runMaintenanceJob(maintenanceDeps, job), 1);
  if (runs('maintenance')) {
    // The months ahead exist before the first pass is due (a new install, a long stop).
    await maintainEventPartitions(maintenanceDeps, {
      retentionDays: config.events.retentionDays,
    }).catch((err: unknown) => logger.warn({ err }, 'could not maintain event partitions'));
    await queues.maintenance
      .upsertJobScheduler(
        'lifecycle',
        { every: config.tenants.maintenanceIntervalMs },
        { name: 'lifecycle', data: { task: 'lifecycle' } },
      )
      .catch((err: unknown) => logger.warn({ err }, 'could not schedule lifecycle maintenance'));
    await queues.maintenance
      .upsertJobScheduler(
        'deadlines',
        { every: config.evidence.deadlineCheckIntervalMs },
        { name: 'deadlines', data: { task: 'deadlines' } },
      )
      .catch((err: unknown) => logger.warn({ err }, 'could not schedule the deadline pass'));
    await queues.maintenance
      .upsertJobScheduler(
        'reconcile',
        { every: config.reconcile.intervalMs },
        { name: 'reconcile', data: { task: 'reconcile' } },
      )
      .catch((err: unknown) => logger.warn({ err }, 'could not schedule reconciliation'));
    await queues.maintenance
      .upsertJobScheduler(
        'aggregates',
        { every: config.analytics.compactIntervalMs },
        { name: 'aggregates', data: { task: 'aggregates' } },
      )
      .catch((err: unknown) => logger.warn({ err }, 'could not schedule aggregate compaction'));
  }
  await Promise.all(consumers.map((w) => w.waitUntilReady()));
  const metricsServer =
    config.worker.metricsPort === null
      ? null
      : await startWorkerMetricsServer({
          metrics,
          pool: db.pool,
          redis: producerRedis,
          redisPrefix: config.redis.prefix,
          bootstrapTokens: config.admin.bootstrapTokens,
          rateLimits: config.admin.rateLimits,
          logger,
          host: config.http.host,
          port: config.worker.metricsPort,
        });

  // The sweeper re-offers stored events: it goes with the events consumers.
  const sweeper = runs('events')
    ? startSweeper(
        { queue: queues.events, pool: db.pool, logger },
        { intervalMs: config.events.sweepIntervalMs, graceMs: config.events.sweepGraceMs },
      )
    : null;
  // Redis (re)connected, possibly empty (it may keep nothing on disk): re-offer at once.
  if (sweeper) producerRedis.on('ready', () => sweeper.afterReconnect());
  logger.info(
    { queues: [...config.worker.queues], eventsConcurrency: config.events.concurrency },
    'workers started',
  );

  return {
    metricsUrl: metricsServer?.url ?? null,
    sweepNow: async () => {
      await sweeper?.runNow();
    },
    runMaintenance: () =>
      runMaintenanceJob(maintenanceDeps, { data: { task: 'lifecycle' } } as Job),
    checkDeadlines: () =>
      runMaintenanceJob(maintenanceDeps, { data: { task: 'deadlines' } } as Job),
    async stop() {
      await metricsServer?.close();
      await sweeper?.stop();
      // Each waits for its active jobs to finish; the events consumer first.
      for (const w of consumers) await w.close();
      await queues.close();
      workerRedis.disconnect();
      producerRedis.disconnect();
      await db.close();
    },
  };
}

if (isEntryPoint(import.meta.url)) {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  const worker = await startWorker(config, logger);
  onShutdownSignal(logger, config.shutdownTimeoutMs, () => worker.stop());
}
