// Composition root of the workers: the events queue consumer, the sweeper, and lifecycle
// maintenance (purges, token refreshes, replaced endpoints).
import { Worker, type Job } from 'bullmq';
import { loadConfigOrExit, type Config } from './config.ts';
import { createDb } from './db.ts';
import { runProcessEventsJob } from './events/process-events-job.ts';
import { startSweeper } from './events/sweep-events.ts';
import { createLogger, type Logger } from './logger.ts';
import { createQueues, QUEUE_NAMES } from './queues.ts';
import { createRedis } from './redis.ts';
import { isEntryPoint, onShutdownSignal } from './shutdown.ts';
import { Keyring } from './crypto/keyring.ts';
import { runMaintenanceJob } from './connections/maintenance-job.ts';
import { TenantClients } from './connections/tenant-clients.ts';
import { runBackfillJob } from './backfill/backfill-job.ts';
import { StripeRateLimiter } from './backfill/rate-limiter.ts';
import { runReportsJob } from './reports/reports-job.ts';
import { deliverNotification } from './notifications/deliver-notification.ts';

export interface WorkerHandle {
  stop(): Promise<void>;
  sweepNow(): Promise<void>;
  /** One lifecycle pass now (purges, token refreshes), as the scheduler runs it. */
  runMaintenance(): Promise<unknown>;
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
    r.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  const queues = createQueues(
    producerRedis,
    config.redis.prefix,
    config.events,
    (err) => logger.debug({ err: err.message }, 'queue error'),
    { maxAttempts: config.notifications.maxAttempts, backoffMs: config.notifications.backoffMs },
  );

  const events = new Worker(
    QUEUE_NAMES.events,
    (job: Job) =>
      runProcessEventsJob(
        {
          pool: db.pool,
          logger,
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
    {
      connection: workerRedis,
      prefix: config.redis.prefix,
      concurrency: config.events.concurrency,
    },
  );
  events.on('error', (err) => logger.warn({ err: err.message }, 'events worker error'));
  await events.waitUntilReady();

  const keyring = new Keyring(config.encryption.keys, config.encryption.primaryKeyId);
  const tokenDeps = { prisma: db.prisma, keyring, stripe: config.stripe, logger };
  const clients = new TenantClients(tokenDeps);
  const limiter = new StripeRateLimiter(
    producerRedis,
    config.redis.prefix,
    config.backfill.rateLimit,
  );
  const reports = new Worker(
    QUEUE_NAMES.reports,
    (job: Job) =>
      runReportsJob(
        { pool: db.pool, logger, clients, limiter, historyMonths: config.reports.historyMonths },
        job,
      ),
    {
      connection: workerRedis,
      prefix: config.redis.prefix,
      concurrency: config.reports.concurrency,
    },
  );
  reports.on('error', (err) => logger.warn({ err: err.message }, 'reports worker error'));
  const notifications = new Worker(
    QUEUE_NAMES.notifications,
    (job: Job, token?: string) =>
      deliverNotification(
        { pool: db.pool, prisma: db.prisma, keyring, logger, settings: config.notifications },
        job,
        token,
      ),
    { connection: workerRedis, prefix: config.redis.prefix, concurrency: 8 },
  );
  notifications.on('error', (err) =>
    logger.warn({ err: err.message }, 'notifications worker error'),
  );
  const backfill = new Worker(
    QUEUE_NAMES.backfill,
    (job: Job) =>
      runBackfillJob(
        {
          pool: db.pool,
          logger,
          queues,
          clients,
          limiter: new StripeRateLimiter(
            producerRedis,
            config.redis.prefix,
            config.backfill.rateLimit,
          ),
          settings: config.backfill,
        },
        job,
      ),
    {
      connection: workerRedis,
      prefix: config.redis.prefix,
      concurrency: config.backfill.concurrency,
    },
  );
  backfill.on('error', (err) => logger.warn({ err: err.message }, 'backfill worker error'));
  const maintenanceDeps = {
    ...tokenDeps,
    pool: db.pool,
    queues,
    clients,
    retentionMs: config.tenants.purgeAfterMs,
    intervalMs: config.tenants.maintenanceIntervalMs,
  };
  const maintenance = new Worker(
    QUEUE_NAMES.maintenance,
    (job: Job) => runMaintenanceJob(maintenanceDeps, job),
    { connection: workerRedis, prefix: config.redis.prefix, concurrency: 1 },
  );
  maintenance.on('error', (err) => logger.warn({ err: err.message }, 'maintenance worker error'));
  await queues.maintenance
    .upsertJobScheduler(
      'lifecycle',
      { every: config.tenants.maintenanceIntervalMs },
      { name: 'lifecycle', data: { task: 'lifecycle' } },
    )
    .catch((err: unknown) => logger.warn({ err }, 'could not schedule lifecycle maintenance'));

  const sweeper = startSweeper(
    { queue: queues.events, pool: db.pool, logger },
    { intervalMs: config.events.sweepIntervalMs, graceMs: config.events.sweepGraceMs },
  );
  // Redis (re)connected, possibly empty (it may keep nothing on disk): re-offer at once.
  producerRedis.on('ready', () => sweeper.afterReconnect());
  logger.info({ concurrency: config.events.concurrency }, 'workers started');

  return {
    sweepNow: () => sweeper.runNow(),
    runMaintenance: () =>
      runMaintenanceJob(maintenanceDeps, { data: { task: 'lifecycle' } } as Job),
    async stop() {
      await sweeper.stop();
      await events.close(); // waits for active jobs to finish
      await maintenance.close();
      await backfill.close();
      await reports.close();
      await notifications.close();
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
