// Per-file test environment: a database cloned from the run's template, a queue prefix of its
// own, and helpers to start the real API and workers in-process against them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { createDb, type Db } from '../../src/db.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { startApi, type ApiHandle } from '../../src/main.ts';
import { startWorker, type WorkerHandle } from '../../src/worker.ts';
import { createQueues, type Queues } from '../../src/queues.ts';
import { createRedis, redisTarget } from '../../src/redis.ts';
import type { EnqueueDeps } from '../../src/events/enqueue-events.ts';
import type { AdminDeps } from '../../src/admin/deps.ts';
import { TenantClients } from '../../src/connections/credentials/tenant-clients.ts';
import { emulatorEnv, useEmulator } from './emulator.ts';

export const CONNECT_SECRETS = [
  'whsec_test_connect_current_0001',
  'whsec_test_connect_previous_002',
];

const keyringSpec = `k1:${randomBytes(32).toString('base64')},k0:${randomBytes(32).toString('base64')}`;

export function testLogger(): Logger {
  return createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', name: 'test' });
}

export async function createTestDatabase(): Promise<{
  url: string;
  name: string;
  drop(): Promise<void>;
}> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `dd_t_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('templateDatabase')}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => c.end());
    },
  };
}

export function testConfig(env: Record<string, string | undefined>): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `ddt-${randomBytes(4).toString('hex')}`,
    ENCRYPTION_KEYS: keyringSpec,
    ENCRYPTION_PRIMARY_KEY_ID: 'k1',
    STRIPE_CONNECT_WEBHOOK_SECRETS: CONNECT_SECRETS.join(','),
    DATABASE_POOL_SIZE: '6',
    EVENTS_WORKER_CONCURRENCY: '4',
    EVENTS_MAX_ATTEMPTS: '3',
    EVENTS_BACKOFF_MS: '50',
    SWEEPER_INTERVAL_MS: '200',
    SWEEPER_GRACE_MS: '300',
    WEBHOOK_REJECTION_FLUSH_MS: '100',
    ...env,
  });
}

export interface Stack {
  config: Config;
  db: Db;
  keyring: Keyring;
  api: ApiHandle;
  worker: WorkerHandle | null;
  logger: Logger;
  queues: Queues;
  /** What use cases that enqueue events need (queue, pool, retry policy). */
  enqueueDeps: EnqueueDeps;
  startWorker(): Promise<WorkerHandle>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** The real API (and, unless `worker: false`, the workers) against this file's database. */
export async function startStack(opts: {
  databaseUrl: string;
  worker?: boolean;
  env?: Record<string, string>;
}): Promise<Stack> {
  const config = testConfig({ DATABASE_URL: opts.databaseUrl, ...opts.env });
  const logger = testLogger();
  const db = createDb({ url: config.database.url, poolSize: 4 });
  const api = await startApi(config, logger);
  const producer = createRedis(config.redis.url, 'producer');
  producer.on('error', () => undefined); // outage tests stop Redis on purpose
  const queues = createQueues(producer, config.redis.prefix, config.events, () => undefined, {
    maxAttempts: config.notifications.maxAttempts,
    backoffMs: config.notifications.backoffMs,
  });
  const stack: Stack = {
    config,
    db,
    keyring: new Keyring(config.encryption.keys, config.encryption.primaryKeyId),
    api,
    worker: null,
    logger,
    queues,
    enqueueDeps: { queue: queues.events, pool: db.pool },
    async startWorker() {
      stack.worker ??= await startWorker(config, logger);
      return stack.worker;
    },
    async stopWorker() {
      await stack.worker?.stop();
      stack.worker = null;
    },
    async stop() {
      await stack.stopWorker();
      await api.stop();
      await queues.close();
      producer.disconnect();
      await db.close();
      await deleteQueueKeys(config.redis.url, config.redis.prefix);
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}

export async function deleteQueueKeys(url: string, prefix: string) {
  // A test's own Redis Cluster is thrown away whole (redis-cluster.ts).
  if (redisTarget(url).cluster) return;
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * The usual per-file setup: a cloned database and the real stack on it, stopped and dropped
 * after the file. Read `env.stack` inside tests (it is set by the time they run).
 */
export function useStack(opts: { worker?: boolean; env?: () => Record<string, string> } = {}) {
  const env = {} as { stack: Stack; database: Awaited<ReturnType<typeof createTestDatabase>> };
  beforeAll(async () => {
    env.database = await createTestDatabase();
    env.stack = await startStack({
      databaseUrl: env.database.url,
      worker: opts.worker,
      env: opts.env?.(),
    });
  });
  afterAll(async () => {
    await env.stack?.stop();
    await env.database?.drop();
  });
  return env;
}

/**
 * What main.ts gives the admin and app routers, built from a running stack (to inspect or build
 * the routers in a test). Disconnect `redis` when done.
 */
export function routerDeps(stack: Stack): AdminDeps {
  const { config, db, keyring, logger, queues } = stack;
  return {
    prisma: db.prisma,
    pool: db.pool,
    keyring,
    logger,
    queue: queues.events,
    queues,
    stripe: config.stripe,
    oauth: config.oauth,
    app: config.app,
    publicBaseUrl: config.http.publicBaseUrl,
    clients: new TenantClients({ prisma: db.prisma, keyring, stripe: config.stripe, logger }),
    notifications: config.notifications,
    redis: createRedis(config.redis.url, 'producer'),
    redisPrefix: config.redis.prefix,
    bootstrapTokens: [],
    rateLimits: config.admin.rateLimits,
    connectAttemptsPerMinute: config.connectPage.attemptsPerMinute,
  };
}

/**
 * A stack (API and, unless `worker: false`, the workers) pointed at a fresh Stripe emulator:
 * the setup most test files share. `extra` settings are added to the emulator's.
 */
export function useEmulatedStack(
  extra: Record<string, string> = {},
  opts: { worker?: boolean } = {},
) {
  const emu = useEmulator();
  const env = useStack({ ...opts, env: () => emulatorEnv(emu, extra) });
  return { emu, env };
}
